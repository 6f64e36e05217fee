"""The post-repair survey's questions and form, in the customer's language (portal/_survey.html)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Question:
    name: str
    legend: str
    hint: str
    low: int
    high: int
    required: bool = False


QUESTIONS = (
    Question("overall", gettext_lazy("Overall, how did we do?"),
             gettext_lazy("1 = poor, 5 = excellent"), 1, 5, required=True),
    Question("quality", gettext_lazy("The quality of the repair"),
             gettext_lazy("1 = poor, 5 = excellent"), 1, 5),
    Question("communication", gettext_lazy("How well we kept you informed"),
             gettext_lazy("1 = poor, 5 = excellent"), 1, 5),
    Question("on_time", gettext_lazy("Ready when we said it would be"),
             gettext_lazy("1 = poor, 5 = excellent"), 1, 5),
    Question("recommend", gettext_lazy("How likely are you to recommend us to a friend?"),
             gettext_lazy("0 = not at all, 10 = extremely likely"), 0, 10),
)


_PICK = {5: gettext_lazy("Choose a score from 1 to 5."),
         10: gettext_lazy("Choose a score from 0 to 10.")}


def _score(question: Question) -> forms.TypedChoiceField:
    pick = _PICK[question.high]
    return forms.TypedChoiceField(
        choices=[(str(n), str(n)) for n in range(question.low, question.high + 1)],
        coerce=int, required=question.required, empty_value=None,
        error_messages={"required": pick, "invalid_choice": pick})


class SurveyForm(forms.Form):
    overall = _score(QUESTIONS[0])
    quality = _score(QUESTIONS[1])
    communication = _score(QUESTIONS[2])
    on_time = _score(QUESTIONS[3])
    recommend = _score(QUESTIONS[4])
    comment = forms.CharField(required=False, max_length=2000, strip=True,
                              error_messages={"max_length": gettext_lazy(
                                  "Keep the comment under 2,000 characters.")})


def survey_questions(form: SurveyForm | None = None) -> list[dict]:
    """Each question with its choices, what is checked and its error, for _survey.html."""
    rows = []
    for q in QUESTIONS:
        chosen = form.data.get(q.name, "") if form is not None else ""
        errors = form.errors.get(q.name, []) if form is not None else []
        rows.append({"name": q.name, "legend": q.legend, "hint": q.hint,
                     "required": q.required, "error": " ".join(errors),
                     "choices": [(str(n), str(n) == chosen)
                                 for n in range(q.low, q.high + 1)],
                     "wide": q.high - q.low > 4})
    return rows
