"""The use cases: one command per thing a sender or a person does, each one unit of work on one incident."""
