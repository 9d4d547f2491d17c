"""Noise control, decided: maintenance windows, the flap hold and the per-person page budget.

Pure functions of plain values and `now`. store/noise.py reads windows and the page outbox and
applies what these decide; each decision not to page is a timeline entry ("not paged: ...").
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from incidents.durations import parse_duration, spoken
from incidents.timeline import Entry

MAINTENANCE, FLAP = "maintenance", "flap"


@dataclass(frozen=True)
class Window:
    """A maintenance window: nobody is paged for incidents of `services` opened from `start` to `end`."""

    id: int
    services: tuple[str, ...]
    start: datetime
    end: datetime
    reason: str
    created_by: str
    ended_by: str | None = None  # who ended it early (then `end` is when)

    def active(self, service: str, now: datetime) -> bool:
        return service in self.services and self.start <= now < self.end


@dataclass(frozen=True)
class PageBudget:
    """At most `pages` pages to one target in any `per`; further ones are summarised in one page."""

    pages: int
    per: timedelta

    @property
    def words(self) -> str:
        return f"{self.pages} in {spoken(self.per)}"


@dataclass(frozen=True)
class Hold:
    """Why, and until when, an incident's first page waits."""

    kind: str  # MAINTENANCE or FLAP
    until: datetime
    reason: str  # "maintenance window 3 (database upgrade) until 14:00 UTC"


def hold(service: str, windows, *, flap_hold: timedelta | None, opened_at: datetime, now: datetime) -> Hold | None:
    """The hold on an incident of `service` at `now`, if any: the active window or flap hold that ends last."""
    holds = [
        Hold(MAINTENANCE, w.end, f"maintenance window {w.id} ({w.reason}) until {clock(w.end, now)}")
        for w in windows
        if w.active(service, now)
    ]
    if flap_hold and opened_at + flap_hold > now:
        until = opened_at + flap_hold
        holds.append(Hold(FLAP, until, f"flap hold: paged only if still firing at {clock(until, now)}"))
    return max(holds, key=lambda h: h.until, default=None)


def held(hold_: Hold) -> Entry:
    """The timeline entry of an incident whose first page waits."""
    return Entry("not_paged", f"not paged: {hold_.reason}", {"why": hold_.kind, "until": hold_.until.isoformat()})


def released(kind: str) -> str:
    """The reason a held incident's first page gives once the hold is over."""
    return "maintenance window over, still firing" if kind == MAINTENANCE else "still firing after the flap hold"


def flapped() -> Entry:
    """An incident resolved within its flap hold: recorded, counted, never paged."""
    return Entry("flapped", "Resolved within the flap hold: recorded, nobody paged", {})


def notice_held(reason: str, kind: str, until: datetime, now: datetime) -> Entry:
    """A lifecycle notice (a breach, a missed update) while the incident's paging is held."""
    why = "a maintenance window" if kind == MAINTENANCE else "the flap hold"
    return Entry("not_paged", f"not paged ({reason}): paging is held by {why} until {clock(until, now)}", {"why": kind})


def admitted(budget: PageBudget | None, sent: int) -> bool:
    """True when one more page fits a target's budget, `sent` pages having gone in its period."""
    return budget is None or sent < budget.pages


def suppressed(target_name: str, budget: PageBudget, summary_at: datetime | None, now: datetime) -> Entry:
    """A page the budget holds back; `summary_at`: when the summary covering it went out, if it did."""
    after = f"a summary was sent at {clock(summary_at, now)}" if summary_at else "summarised"
    return Entry(
        "not_paged",
        f"not paged: {target_name}'s page budget ({budget.words}) is spent; {after}",
        {"why": "budget", "target": target_name},
    )


def summary_text(target_name: str, counts: dict[str, int], budget: PageBudget | None) -> str:
    """ "12 more incidents on payment-service": what a budget summary page says."""
    total = sum(counts.values())
    noun = "incident" if total == 1 else "incidents"
    services = ", ".join(f"{name} ({n})" if len(counts) > 1 else name for name, n in sorted(counts.items()))
    words = f" ({budget.words})" if budget else ""
    return f"{total} more {noun} on {services}: {target_name}'s page budget{words} is spent"


def clock(at: datetime, now: datetime) -> str:
    """ "14:00 UTC" today, "2026-12-03 14:00 UTC" another day."""
    return at.strftime("%H:%M UTC") if at.date() == now.date() else at.strftime("%Y-%m-%d %H:%M UTC")


def window_times(start: str | None, end: str, now: datetime) -> tuple[datetime, datetime]:
    """A window's (start, end) as people write them: `start` a time (default now), `end` a time or a
    duration after the start ("2 hours"); ValueError names the field ("end: ...")."""
    begin = _time("start", start, now) if start else now
    try:
        finish = begin + parse_duration(end)
    except ValueError:
        finish = _time("end", end, now)
    if finish <= begin:
        raise ValueError("end: must be after the start")
    if finish <= now:
        raise ValueError("end: must be in the future")
    return begin, finish


def unknown_services(services, known) -> list[str]:
    """The names of `services` that no service of the configuration has."""
    return [name for name in services if name not in known]


def _time(field: str, text: str, now: datetime) -> datetime:
    """An ISO 8601 / RFC 3339 time; one without an offset is UTC."""
    try:
        value = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f'{field}: "{text}" is neither a time (RFC 3339) nor a duration') from None
    return value.replace(tzinfo=now.tzinfo) if value.tzinfo is None else value.astimezone(now.tzinfo)
