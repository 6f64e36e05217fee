"""CSI and NPS from answered post-repair surveys, bucketed by the day the customer answered.

- **CSI** = the mean of the overall score (1–5), and the share of answers that were 4 or 5.
- **NPS** = % promoters (recommend 9–10) − % detractors (0–6) among answers to the recommend
  question, from −100 to 100.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from claimory.reports.period import Period, local_day, mean, share, tz_of
from claimory.shops.models import Location
from claimory.survey.models import Survey, SurveyState


@dataclass(frozen=True)
class SurveyRow:
    label: str
    responses: int
    csi: float | None  # mean overall, 1–5
    top_two_pct: float | None  # % of overall answers that were 4 or 5
    nps_responses: int
    promoters: int
    detractors: int
    nps: float | None


@dataclass(frozen=True)
class SurveyReport:
    rows: list[SurveyRow]
    total: SurveyRow


def survey_row(label: str, answers: Sequence[tuple[int | None, int | None]]) -> SurveyRow:
    overall = [o for o, _r in answers if o is not None]
    recommend = [r for _o, r in answers if r is not None]
    promoters = sum(1 for r in recommend if r >= 9)
    detractors = sum(1 for r in recommend if r <= 6)
    nps = None if not recommend else share(promoters, len(recommend)) - share(
        detractors, len(recommend))
    return SurveyRow(label, len(overall), mean(overall),
                     share(sum(1 for o in overall if o >= 4), len(overall)), len(recommend),
                     promoters, detractors, nps)


def survey_scores(*, locations: Sequence[Location], period: Period) -> SurveyReport:
    by_id = {loc.pk: loc for loc in locations}
    lo, hi = period.utc_window()
    rows = (Survey.objects.filter(location__in=list(by_id), state=SurveyState.ANSWERED,
                                  answered_at__gte=lo, answered_at__lt=hi)
            .order_by().values_list("location_id", "answered_at", "overall", "recommend"))
    groups: dict[object, list[tuple[int | None, int | None]]] = defaultdict(list)
    everything = []
    for loc_id, at, overall, recommend in rows:
        key = period.key(local_day(at, tz_of(by_id[loc_id])))
        if key is not None:
            groups[key].append((overall, recommend))
            everything.append((overall, recommend))
    return SurveyReport(rows=[survey_row(b.label, groups[b.start]) for b in period.buckets()],
                        total=survey_row("Total", everything))
