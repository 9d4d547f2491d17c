"""Who acted: a value every command carries, landing on every timeline entry the command causes."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """`name` fills the entry's actor column (`alice`, `api:ci-bot`, `pagerduty`, `alertmanager`,
    `system`), `says` is how the entry's words name it ("ci-bot (API)"), and `data` goes into the data
    of every entry it causes (`pagerduty_user`: who acted in PagerDuty)."""

    name: str
    says: str = ""
    data: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self):
        if not self.says:
            object.__setattr__(self, "says", self.name)

    def __str__(self) -> str:
        return self.name

    @classmethod
    def person(cls, name: str) -> "Actor":
        """Someone signed in to the web pages (or named in a command)."""
        return cls(name)

    @classmethod
    def api(cls, token: str) -> "Actor":
        """A caller of the JSON API, by its token's name."""
        return cls(f"api:{token}", f"{token} (API)")

    @classmethod
    def pagerduty(cls, user: str) -> "Actor":
        """PagerDuty's webhook, on behalf of `user` there (their display name; may be empty)."""
        return cls("pagerduty", f"{user or 'someone'} in PagerDuty", {"pagerduty_user": user})

    @classmethod
    def sender(cls, source: str) -> "Actor":
        """An alert source acting through the Events API (`acknowledge` events)."""
        return cls(source, f"{source} (Events API)")

    @classmethod
    def link(cls, target: str) -> "Actor":
        """Whoever an acknowledgement link was sent to: `user:alice` acts as alice, a team as `team:sre`."""
        kind, _, name = target.partition(":")
        return cls(name if kind == "user" else target, f"{kind} {name} through the acknowledgement link")


SYSTEM = Actor("system")
