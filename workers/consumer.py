"""The worker's consumer: Celery's, made to survive the loss of its Redis connection.

With celery/kombu 5.7 on Redis, a worker holding unacknowledged messages (countdown wake-ups, page
retries, tasks running with acks_late) exits with `Unrecoverable error: AttributeError("'NoneType'
object has no attribute 'hostname'")` when the broker connection drops: the consumer's clean-up
first `collect()`s the connection, whose channel close fails in its pending BRPOP read and leaves
the channel open while the transport is detached; the `close()` that follows then tries to give the
unacknowledged messages back through that detached transport (kombu's `restore_unacked`).

So the consumer gives them back first, while the transport is whole: if Redis is back already they
are restored, else they are forgotten here. Forgetting loses nothing: PostgreSQL holds every due
escalation and pending page, which the beat's tick claims and re-sends, and a message Redis still
holds unacknowledged comes back after the visibility timeout (tasks are idempotent).

A task that was running when the connection dropped acknowledges its message afterwards, from the
event loop, on the old channel, whose transport is gone: kombu raises `AttributeError("'NoneType'
object has no attribute 'client'")`, which Celery takes for unrecoverable, and the worker exits (seen
once in tests/faults/test_redis_restart.py). The consumer counts AttributeError with the connection
errors: that acknowledgement is logged and dropped (the message comes back, as above), and an
AttributeError in the consumer's loop restarts the consumer, as a lost connection does, instead of
ending the worker.
"""

import logging

from celery.worker.consumer import Consumer as CeleryConsumer

log = logging.getLogger(__name__)


class Consumer(CeleryConsumer):
    """Celery's consumer, giving back its unacknowledged messages before a lost connection is closed,
    and taking an acknowledgement on a dead channel for the lost connection it is."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connection_errors = tolerated_errors(self.connection_errors)

    def on_connection_error_after_connected(self, exc):
        give_back_unacked(self.connection, self.task_consumer)
        super().on_connection_error_after_connected(exc)


def tolerated_errors(connection_errors: tuple) -> tuple:
    """The errors that mean "the connection is lost": the transport's, and kombu's AttributeError on a
    channel whose transport went with the connection."""
    return connection_errors + (AttributeError,)


def give_back_unacked(connection, task_consumer) -> None:
    """Restore the messages this worker holds unacknowledged, or forget them if the broker is away."""
    qos = getattr(getattr(task_consumer, "channel", None), "qos", None)
    if connection is None or qos is None or not hasattr(qos, "restore_unacked_once"):
        return  # not a kombu virtual transport (Redis, the file broker): nothing to work around
    try:
        qos.restore_unacked_once()
    except connection.connection_errors + connection.channel_errors as error:
        log.warning(
            "broker lost: %d unacknowledged task(s) not given back (%s); the tick re-sends from the database",
            len(qos._delivered),
            error,
        )
        # restore_unacked_once marks itself done even when it fails: what it could not restore must go,
        # else the channel's close asserts there is nothing left.
        qos._delivered.clear()
