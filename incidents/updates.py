"""Status updates: a status word, text and an ETA; each one sets when the next is due."""

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from incidents.durations import parse_duration
from incidents.lifecycle import Change, Lifecycle, Phase, StatusWord, publish, set_status
from incidents.timeline import Entry

_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?:\s*UTC)?", re.IGNORECASE)


@dataclass(frozen=True)
class Update:
    """One status update as posted."""

    word: StatusWord
    text: str
    eta: str  # as given ("15 minutes", "11:30"); empty without one
    eta_at: datetime | None
    author: str
    at: datetime
    public: bool = False  # published to the status page


def eta_time(text: str, now: datetime) -> datetime | None:
    """When an ETA falls: "15 minutes" from now, "11:30" (UTC, the next such time), or an ISO 8601 time.

    ValueError when it is none of these, or falls outside the years 1..9999 in UTC."""
    try:
        return _eta_time(text.strip(), now)
    except OverflowError:
        raise ValueError(f'"{text}" is too far away') from None


def _eta_time(text: str, now: datetime) -> datetime | None:
    clock = _CLOCK.fullmatch(text)
    if clock:
        at = now.replace(hour=int(clock.group(1)), minute=int(clock.group(2)), second=0, microsecond=0)
        return at if at > now else at + timedelta(days=1)
    try:
        return now + parse_duration(text)
    except ValueError:
        pass
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f'"{text}" is not an ETA (say "15 minutes", "11:30" or an ISO 8601 time)') from None
    if at.tzinfo is None:
        raise ValueError(f'"{text}" has no time zone (add Z or +00:00)')
    # In UTC, as stored: 9999-12-31T23:00-14:00 is past year 9999, which PostgreSQL keeps but Python cannot read.
    return at.astimezone(UTC)


def post(
    lc: Lifecycle,
    word: StatusWord,
    text: str,
    now: datetime,
    *,
    by: str,
    eta: str = "",
    every: timedelta | None,
    public: bool = False,
) -> tuple[Change, Update]:
    """Post an update: sets the status word (and phase), and the next update's due time by `every`; a
    `public` one publishes the incident on the status page."""
    update = Update(word, text, eta.strip(), eta_time(eta, now) if eta.strip() else None, by, now, public)
    moved = set_status(lc, word, now, by=by)
    due = now + every if every and word != StatusWord.RESOLVED else None
    lc = replace(moved.lifecycle, next_update_due=due, update_misses=0, updates_posted=lc.updates_posted + 1)
    message = f"Update ({word.value}) from {by}: {text}" + (f" (ETA: {update.eta})" if update.eta else "")
    entry = Entry("update", message, {"status": word.value, "eta": update.eta})
    shown = publish(lc, now, by=by, with_update=True) if public else Change(lc)
    return Change(shown.lifecycle, moved.entries + (entry,) + shown.entries), update


def first_due(lc: Lifecycle, now: datetime, every: timedelta | None) -> Lifecycle:
    """At the first acknowledgement the first update falls due, unless one was posted."""
    if lc.next_update_due is not None or lc.updates_posted or every is None:
        return lc
    return replace(lc, next_update_due=now + every)


def replan(lc: Lifecycle, now: datetime, every: timedelta | None) -> Lifecycle:
    """A new severity's cadence applies at once: the next update falls due one interval from now at the latest
    (an earlier or overdue one stands); without a cadence none is due. Nothing is due before the first
    acknowledgement or update (first_due), nor after the resolution."""
    if lc.phase.order >= Phase.POSTMORTEM.order:
        return lc
    if every is None:
        return replace(lc, next_update_due=None, update_misses=0)
    if lc.next_update_due is None:
        owed = lc.updates_posted or lc.first_acknowledged is not None
        return replace(lc, next_update_due=now + every, update_misses=0) if owed else lc
    return replace(lc, next_update_due=min(lc.next_update_due, now + every))
