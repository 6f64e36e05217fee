"""Each report as the pages and the CSV export show it: a title, what it means, a headline,
a chart and a table, all from the metric functions in ``metrics/``.

The HTML table and the CSV come from the same column list, so they always agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString

from claimory.reports.charts import COLORS, Series, bar_chart
from claimory.reports.metrics import calls, cohort, cycle, portal, responses, scorecard, survey
from claimory.reports.period import Period
from claimory.shops.models import Location


def _n(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def _d1(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f}"


def _d2(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}%"


def _signed(value: float | None) -> str:
    return "" if value is None else f"{value:+.0f}"


def _minutes(value: float | None) -> str:
    if value is None:
        return ""
    if value < 60:
        return f"{value:.0f} min"
    return f"{value / 60:.1f} h"


@dataclass(frozen=True)
class Column:
    title: str
    get: Callable[[Any], Any]
    fmt: Callable[[Any], str] = _n
    numeric: bool = True


@dataclass
class Section:
    slug: str
    title: str
    lead: str
    columns: Sequence[Column]
    rows: Sequence[Any]
    total: Any
    headline: list[tuple[str, str]] = field(default_factory=list)  # (figure, what it is)
    charts: list[SafeString] = field(default_factory=list)
    empty: bool = False

    def table(self) -> tuple[list[str], list[list[str]], list[str]]:
        """Header, formatted body rows and the formatted total row."""
        header = [c.title for c in self.columns]
        body = [[c.fmt(c.get(r)) if c.numeric else str(c.get(r)) for c in self.columns]
                for r in self.rows]
        total = [c.fmt(c.get(self.total)) if c.numeric else str(c.get(self.total))
                 for c in self.columns]
        return header, body, total

    def csv_rows(self) -> tuple[list[str], list[list[object]]]:
        """Header and rows for the CSV: plain numbers (rounded, no units), total last."""
        def raw(column: Column, row: Any) -> object:
            value = column.get(row)
            if not column.numeric:
                return value
            return "" if value is None else round(value, 2)

        header = [c.title for c in self.columns]
        rows = [[raw(c, r) for c in self.columns] for r in [*self.rows, self.total]]
        return header, rows


def _bars(period: Period, **chart: Any) -> SafeString:
    """A bar chart with the period's short bucket names under the bars."""
    return bar_chart(axis_labels=[b.short for b in period.buckets()], **chart)


def _label(r: Any) -> str:
    return r.label


def _desc(period: Period, what: str, values: Sequence[float | None], fmt) -> str:
    known = [v for v in values if v is not None]
    unit = "Weekly" if period.grain == "week" else "Monthly"
    span = f"{period.start:%b} {period.start.day}, {period.start.year} to " \
           f"{period.end:%b} {period.end.day}, {period.end.year}"
    if not known:
        return f"{unit} {what}, {span}: no data."
    return f"{unit} {what}, {span}. Lowest {fmt(min(known))}, highest {fmt(max(known))}."


def portal_section(locations: Sequence[Location], period: Period) -> Section:
    report = portal.portal_views(locations=locations, period=period)
    labels = [r.label for r in report.rows]
    views = [r.views for r in report.rows]
    return Section(
        "portal", "Portal views",
        "How often customers opened their status page. A viewer is one claim's link "
        "(a household): we keep no IP address or cookie to tell people apart.",
        [Column("Period", _label, numeric=False), Column("Views", lambda r: r.views),
         Column("Unique viewers", lambda r: r.viewers)],
        report.rows, report.total,
        headline=[(_n(report.total.views), "portal views"),
                  (_n(report.total.viewers), "customers looked")],
        charts=[_bars(period, title="Portal views", labels=labels, desc=_desc(
            period, "portal views", views, _n), series=[
            Series("Views", views), Series("Unique viewers", [r.viewers for r in report.rows],
                                           COLORS[1])])],
        empty=report.total.views == 0)


def calls_section(locations: Sequence[Location], period: Period) -> Section:
    report = calls.calls_avoided(locations=locations, period=period)
    hours = [r.hours for r in report.rows]
    t = report.total
    return Section(
        "calls", "Status calls avoided",
        f"A status touch is a day a customer saw their car's status without calling: they "
        f"opened the portal or got an automated update (at most one per claim per day). "
        f"Calls avoided = touches, capped at {calls.CALLS_PER_DAY:g} calls per business day "
        f"(the {calls.CALLS_PER_DAY_LOW:g}–{calls.CALLS_PER_DAY_HIGH:g} a shop without a "
        f"status page answers), each {calls.MINUTES_PER_CALL:g} minutes.",
        [Column("Period", _label, numeric=False), Column("Portal days", lambda r: r.portal_days),
         Column("Text-only days", lambda r: r.text_days),
         Column("Status touches", lambda r: r.touches),
         Column("Business days", lambda r: r.business_days),
         Column("Calls avoided", lambda r: r.calls_avoided, _d1),
         Column("Hours reclaimed", lambda r: r.hours, _d1),
         Column(f"Hours at {calls.CALLS_PER_DAY_LOW:g}/day", lambda r: r.hours_low, _d1),
         Column(f"Hours at {calls.CALLS_PER_DAY_HIGH:g}/day", lambda r: r.hours_high, _d1)],
        report.rows, t,
        headline=[(_d1(t.hours), "front-desk hours reclaimed"),
                  (f"{_d1(t.hours_low)}–{_d1(t.hours_high)}", "hours, at 3 to 6 calls a day"),
                  (_n(t.calls_avoided), "status calls avoided")],
        charts=[_bars(period, title="Front-desk hours reclaimed", labels=[r.label for r in
                                                                     report.rows],
                          desc=_desc(period, "hours reclaimed", hours, _d1),
                          series=[Series("Hours", hours, COLORS[2])], fmt=_d1)],
        empty=t.touches == 0)


def responses_section(locations: Sequence[Location], period: Period) -> Section:
    report = responses.response_times(locations=locations, period=period)
    t = report.total
    med = [r.median_minutes for r in report.rows]
    return Section(
        "responses", "Message response time",
        "From a customer's message to the first reply a person at the shop sends, counting "
        "only the shop's business hours. Several messages in a row are one wait, from the "
        "first; automated texts don't count as replies.",
        [Column("Period", _label, numeric=False), Column("Answered", lambda r: r.answered),
         Column("Unanswered", lambda r: r.unanswered),
         Column("Median (business min)", lambda r: r.median_minutes, _d1),
         Column("90th percentile (business min)", lambda r: r.p90_minutes, _d1)],
        report.rows, t,
        headline=[(_minutes(t.median_minutes) or "–", "median reply"),
                  (_minutes(t.p90_minutes) or "–", "9 in 10 answered within"),
                  (_n(t.unanswered), "waiting for a reply")],
        charts=[_bars(period, title="Message response time (business minutes)",
                          labels=[r.label for r in report.rows],
                          desc=_desc(period, "median response time in business minutes", med,
                                     _d1),
                          series=[Series("Median", med),
                                  Series("90th percentile", [r.p90_minutes for r in
                                                             report.rows], COLORS[1])],
                          fmt=_d1)],
        empty=t.answered + t.unanswered == 0)


def cycle_section(locations: Sequence[Location], period: Period,
                  delivered: Sequence[cohort.Delivered] | None = None) -> list[Section]:
    report = cycle.cycle_times(locations=locations, period=period, claims=delivered)
    t = report.total
    labels = [r.label for r in report.rows]
    avg = [r.cycle_avg for r in report.rows]
    kept = [r.kept_pct for r in report.rows]
    columns = [Column("Period", _label, numeric=False), Column("Delivered", lambda r: r.delivered),
               Column("Cycle time, avg days", lambda r: r.cycle_avg, _d1),
               Column("Cycle time, median days", lambda r: r.cycle_median, _d1),
               Column("Keys-to-keys, avg days", lambda r: r.keys_avg, _d1),
               Column("Keys-to-keys, median days", lambda r: r.keys_median, _d1),
               Column("With a promised date", lambda r: r.promised),
               Column("Delivered as promised", lambda r: r.kept),
               Column("Delivered as promised %", lambda r: r.kept_pct, _pct)]
    return [
        Section("cycle", "Cycle time and keys-to-keys",
                "Cycle time runs from the claim being opened to delivery; keys-to-keys from "
                "the car entering the shop (the “Repairs started” stage or later) to delivery. "
                "Each car counts in the week it was delivered.",
                columns, report.rows, t,
                headline=[(_d1(t.cycle_avg) or "–", "days average cycle time"),
                          (_d1(t.keys_avg) or "–", "days keys-to-keys"),
                          (_n(t.delivered), "cars delivered")],
                charts=[_bars(period, title="Cycle time and keys-to-keys (average days)",
                                  labels=labels,
                                  desc=_desc(period, "average cycle time in days", avg, _d1),
                                  series=[Series("Cycle time", avg),
                                          Series("Keys-to-keys",
                                                 [r.keys_avg for r in report.rows],
                                                 COLORS[1])], fmt=_d1)],
                empty=t.delivered == 0),
        Section("promised", "Delivered as promised",
                "The share of delivered cars handed back on or before the first date the "
                "customer was promised (customers remember the first date). Cars never given a "
                "date are left out.",
                columns, report.rows, t,
                headline=[(_pct(t.kept_pct) or "–", "delivered as first promised"),
                          (f"{t.kept} of {t.promised}", "cars with a promised date")],
                charts=[_bars(period, title="Delivered as promised (%)", labels=labels,
                                  desc=_desc(period, "share delivered as promised", kept, _pct),
                                  series=[Series("Delivered as promised", kept, COLORS[2])],
                                  fmt=_pct, domain=(0, 100))],
                empty=t.promised == 0),
    ]


def survey_section(locations: Sequence[Location], period: Period) -> Section:
    report = survey.survey_scores(locations=locations, period=period)
    t = report.total
    labels = [r.label for r in report.rows]
    csi = [r.csi for r in report.rows]
    nps = [r.nps for r in report.rows]
    return Section(
        "survey", "CSI and NPS",
        "From the post-repair survey. CSI is the average overall score (1–5) and the share "
        "of 4s and 5s; NPS is % promoters (9–10) minus % detractors (0–6) of “would you "
        "recommend us”, from −100 to +100.",
        [Column("Period", _label, numeric=False), Column("Responses", lambda r: r.responses),
         Column("CSI (1–5)", lambda r: r.csi, _d2),
         Column("Scored 4–5", lambda r: r.top_two_pct, _pct),
         Column("Recommend answers", lambda r: r.nps_responses),
         Column("Promoters", lambda r: r.promoters), Column("Detractors", lambda r: r.detractors),
         Column("NPS", lambda r: r.nps, _signed)],
        report.rows, t,
        headline=[(_d2(t.csi) or "–", "CSI out of 5"), (_signed(t.nps) or "–", "NPS"),
                  (_n(t.responses), "survey answers")],
        charts=[_bars(period, title="CSI (average overall score, 1–5)", labels=labels,
                          desc=_desc(period, "CSI", csi, _d2), series=[Series("CSI", csi)],
                          fmt=_d2, domain=(0, 5)),
                _bars(period, title="NPS (−100 to +100)", labels=labels,
                          desc=_desc(period, "NPS", nps, _signed),
                          series=[Series("NPS", nps, COLORS[2])], fmt=_signed,
                          domain=(-100, 100))],
        empty=t.responses == 0 and t.nps_responses == 0)


def scorecard_section(locations: Sequence[Location], period: Period) -> Section:
    card = scorecard.carrier_scorecard(locations=locations, period=period)
    gap = scorecard.UPDATE_EVERY_BUSINESS_DAYS
    return Section(
        "carriers", "DRP scorecard by carrier",
        f"Cars delivered in the period, one row per insurance carrier. Communication "
        f"consistency is the share of claims whose customer never went more than {gap} "
        f"business days without an update from the shop.",
        [Column("Carrier", lambda r: r.carrier, numeric=False),
         Column("Claims", lambda r: r.claims), Column("CSI", lambda r: r.csi, _d2),
         Column("Survey answers", lambda r: r.csi_responses),
         Column("NPS", lambda r: r.nps, _signed),
         Column("Cycle time, days", lambda r: r.cycle_avg, _d1),
         Column("Keys-to-keys, days", lambda r: r.keys_avg, _d1),
         Column("Delivered as promised", lambda r: r.kept_pct, _pct),
         Column("Supplements", lambda r: r.supplements),
         Column("Supplements per claim", lambda r: r.supplements_per_claim, _d1),
         Column("Supplement days (sent → decided)", lambda r: r.supplement_days, _d1),
         Column("Rental days, avg", lambda r: r.rental_days, _d1),
         Column(f"Updated every ≤{gap} business days", lambda r: r.consistent_pct, _pct),
         Column("Longest gap, avg business days", lambda r: r.longest_gap_avg, _d1)],
        card.rows, card.total, empty=not card.rows)


REPORTS = ("portal", "calls", "responses", "cycle", "promised", "survey", "carriers")


def overview(locations: Sequence[Location], period: Period) -> list[Section]:
    """Every section of the reports page, in reading order."""
    return [calls_section(locations, period), portal_section(locations, period),
            responses_section(locations, period), *cycle_section(locations, period),
            survey_section(locations, period)]


def section(slug: str, locations: Sequence[Location], period: Period) -> Section:
    """One report by its slug (for the CSV export); KeyError for an unknown one."""
    if slug == "carriers":
        return scorecard_section(locations, period)
    if slug in ("cycle", "promised"):
        return cycle_section(locations, period)[0 if slug == "cycle" else 1]
    builders = {"portal": portal_section, "calls": calls_section,
                "responses": responses_section, "survey": survey_section}
    return builders[slug](locations, period)
