"""Editing a draft's questions outside the admin: texts in every language, answers, rules."""

import pytest
from django.urls import reverse

from intake import selectors
from intake.models import Questionnaire
from intake.triage import Level, triage
from tests.bookings.staff.conftest import browser_for

pytestmark = pytest.mark.django_db


def current() -> Questionnaire:
    return selectors.questionnaire_current(Questionnaire.Kind.BOOKING)


@pytest.fixture
def draft(demo_studio) -> Questionnaire:
    owner = browser_for("owner")
    owner.post(reverse("intake:version_copy", kwargs={"pk": current().pk}), {"copy": "yes"})
    return Questionnaire.objects.get(published_at__isnull=True)


def formset(prefix: str, rows: list[dict], *, initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def question_post(**overrides) -> dict:
    data = {
        "code": "compression_stockings",
        "section": "circulation",
        "kind": "choice",
        "required": "on",
        "text_en": "Do you wear compression stockings?",
        "text_ca": "Portes mitges de compressió?",
        "text_es": "¿Llevas medias de compresión?",
        "help_text_en": "",
        "help_text_ca": "",
        "help_text_es": "",
        "services": ["leg-massage", "lymphatic-drainage"],
        **formset(
            "choices",
            [
                {"value": "never", "label_en": "Never", "label_ca": "Mai", "label_es": "Nunca"},
                {
                    "value": "prescribed",
                    "label_en": "Prescribed by a doctor",
                    "label_ca": "Me les ha receptat un metge",
                    "label_es": "Me las ha recetado un médico",
                },
                {"value": "", "label_en": "", "label_ca": "", "label_es": ""},
            ],
        ),
        **formset(
            "rules",
            [
                {
                    "when": ["prescribed"],
                    "level": "review",
                    "reason_en": "Wears prescribed compression stockings",
                    "reason_ca": "Porta mitges de compressió receptades",
                    "reason_es": "Lleva medias de compresión recetadas",
                }
            ],
        ),
    }
    data.update(overrides)
    return data


def test_the_owner_adds_a_question_in_three_languages_and_it_triages(draft):
    owner = browser_for("owner")
    count = draft.questions.count()
    url = reverse("intake:question_add", kwargs={"pk": draft.pk})
    assert owner.get(url).status_code == 200

    response = owner.post(url, question_post())
    assert response.status_code == 302, response.content.decode()[:2000]
    question = draft.questions.get(code="compression_stockings")
    assert question.position == count + 1  # added at the end
    assert question.text_ca == "Portes mitges de compressió?"
    assert question.services == ["leg-massage", "lymphatic-drainage"]
    assert question.choices == [
        {"value": "never", "label": "Never", "label_ca": "Mai", "label_es": "Nunca"},
        {
            "value": "prescribed",
            "label": "Prescribed by a doctor",
            "label_ca": "Me les ha receptat un metge",
            "label_es": "Me las ha recetado un médico",
        },
    ]
    assert question.rules == [
        {
            "when": ["prescribed"],
            "level": "review",
            "reason": "Wears prescribed compression stockings",
            "reason_ca": "Porta mitges de compressió receptades",
            "reason_es": "Lleva medias de compresión recetadas",
        }
    ]
    # Triage reads the saved question like any other.
    spec = question.to_spec()
    result = triage([spec], {"compression_stockings": "prescribed"}, service_slug="leg-massage")
    assert result.level == Level.REVIEW
    # The version as a whole can still be published.
    assert selectors.questionnaire_publish_check(draft).problems == ()
    assert (
        "Added: compression_stockings"
        in owner.get(reverse("intake:version_detail", kwargs={"pk": draft.pk})).content.decode()
    )


def test_editing_a_question_keeps_its_answers_and_renames_its_follow_ups(draft):
    owner = browser_for("owner")
    question = draft.questions.get(code="leg_symptoms")
    follow_up = draft.questions.get(code="leg_symptoms_side")
    assert follow_up.show_if_question == "leg_symptoms"
    page = owner.get(
        reverse("intake:question_edit", kwargs={"pk": draft.pk, "question_pk": question.pk})
    )
    form = page.context["form"]
    rules = page.context["rules"]
    data = {
        name: form[name].value() if name != "services" else form["services"].value()
        for name in form.fields
        if name not in ("shown_when",)
    }
    data = {k: v for k, v in data.items() if v not in (None, False)}
    data["code"] = "leg_signs"
    data["text_es"] = "¿Tienes dolor, hinchazón, rojez o calor en las piernas?"
    data["required"] = "on"
    data |= formset("choices", [])
    data |= formset(
        "rules",
        [
            {name: rules.forms[i][name].value() for name in rules.forms[i].fields}
            for i in range(len(rules.initial or []))
        ],
        initial=len(rules.initial or []),
    )
    response = owner.post(
        reverse("intake:question_edit", kwargs={"pk": draft.pk, "question_pk": question.pk}), data
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    question.refresh_from_db()
    follow_up.refresh_from_db()
    assert question.code == "leg_signs"
    assert question.text_es == "¿Tienes dolor, hinchazón, rojez o calor en las piernas?"
    assert question.kind == "yes_no" and question.choices == []
    assert follow_up.show_if_question == "leg_signs"  # the follow-up follows the new code


def test_a_flag_without_a_reason_or_an_unknown_answer_is_refused(draft):
    owner = browser_for("owner")
    url = reverse("intake:question_add", kwargs={"pk": draft.pk})
    data = question_post()
    data["rules-0-reason_en"] = ""
    response = owner.post(url, data)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    data = question_post()
    data["rules-0-when"] = ["sometimes"]
    assert owner.post(url, data).status_code == 400
    data = question_post()
    data["choices-1-value"] = "never"  # two answers share a value
    response = owner.post(url, data)
    assert response.status_code == 400
    assert "Two answers share a value" in response.content.decode()
    data = question_post(code="Leg Symptoms")
    assert owner.post(url, data).status_code == 400
    data = question_post(code="leg_symptoms")  # another question has it
    response = owner.post(url, data)
    assert response.status_code == 409
    assert "Another question of this version has the code" in response.content.decode()
    assert not draft.questions.filter(code="compression_stockings").exists()


def test_a_follow_up_names_answers_of_one_earlier_question_only(draft):
    owner = browser_for("owner")
    url = reverse("intake:question_add", kwargs={"pk": draft.pk})
    response = owner.post(url, question_post(shown_when=["leg_symptoms=yes", "pregnant=yes"]))
    assert response.status_code == 400
    assert "Tick answers of one earlier question only." in response.content.decode()
    response = owner.post(url, question_post(shown_when=["leg_symptoms=yes"]))
    assert response.status_code == 302
    added = draft.questions.get(code="compression_stockings")
    assert (added.show_if_question, added.show_if_values) == ("leg_symptoms", ["yes"])


def test_moving_and_removing_questions(draft):
    owner = browser_for("owner")
    codes = list(draft.questions.order_by("position").values_list("code", flat=True))
    second = draft.questions.get(code=codes[1])
    move = reverse("intake:question_move", kwargs={"pk": draft.pk, "question_pk": second.pk})
    assert owner.post(move, {}).status_code == 400
    assert owner.post(move, {"direction": "up"}).status_code == 302
    moved = list(draft.questions.order_by("position").values_list("code", flat=True))
    assert moved == [codes[1], codes[0], *codes[2:]]
    assert list(draft.questions.order_by("position").values_list("position", flat=True)) == list(
        range(1, len(codes) + 1)
    )

    # A question another one follows cannot be removed before its follow-up.
    leader = draft.questions.get(code="leg_symptoms")
    remove = reverse("intake:question_remove", kwargs={"pk": draft.pk, "question_pk": leader.pk})
    assert owner.post(remove, {}).status_code == 400
    refused = owner.post(remove, {"remove": "yes"}, follow=True)
    assert "leg_symptoms_side" in refused.content.decode()
    assert draft.questions.filter(pk=leader.pk).exists()

    pain = draft.questions.get(code="intense_pain")
    removed = owner.post(
        reverse("intake:question_remove", kwargs={"pk": draft.pk, "question_pk": pain.pk}),
        {"remove": "yes"},
    )
    assert removed.status_code == 302
    assert not draft.questions.filter(code="intense_pain").exists()
    assert list(draft.questions.order_by("position").values_list("position", flat=True)) == list(
        range(1, len(codes))
    )
    # Removing a question of the safety floor makes the draft unpublishable, and says why.
    problems = selectors.questionnaire_publish_check(draft).problems
    assert any("Intense pain goes to review" in str(problem) for problem in problems)


def test_the_title_is_edited_in_each_language(draft):
    owner = browser_for("owner")
    url = reverse("intake:version_title", kwargs={"pk": draft.pk})
    assert owner.post(url, {"title_en": "", "title_ca": "", "title_es": ""}).status_code == 400
    response = owner.post(
        url,
        {"title_en": "Health questions", "title_ca": "Preguntes de salut", "title_es": ""},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title_ca, draft.title_es) == ("Preguntes de salut", "")
    problems = selectors.questionnaire_publish_check(draft).problems
    assert any("title is not written in Español" in str(problem) for problem in problems)


def test_a_published_version_is_never_edited(draft):
    owner = browser_for("owner")
    published = current()
    question = published.questions.first()
    before = (question.text_en, question.rules)
    kwargs = {"pk": published.pk, "question_pk": question.pk}
    assert owner.get(reverse("intake:question_edit", kwargs=kwargs)).status_code == 404
    assert (
        owner.post(reverse("intake:question_edit", kwargs=kwargs), question_post()).status_code
        == 404
    )
    assert (
        owner.post(
            reverse("intake:question_add", kwargs={"pk": published.pk}), question_post()
        ).status_code
        == 404
    )
    assert (
        owner.post(
            reverse("intake:question_move", kwargs=kwargs), {"direction": "down"}
        ).status_code
        == 404
    )
    assert (
        owner.post(reverse("intake:question_remove", kwargs=kwargs), {"remove": "yes"}).status_code
        == 404
    )
    assert (
        owner.post(
            reverse("intake:version_title", kwargs={"pk": published.pk}), {"title_en": "X"}
        ).status_code
        == 404
    )
    # A question of one draft is not reachable under another version's address.
    other = draft.questions.first()
    assert (
        owner.get(
            reverse("intake:question_edit", kwargs={"pk": published.pk, "question_pk": other.pk})
        ).status_code
        == 404
    )
    question.refresh_from_db()
    assert (question.text_en, question.rules) == before


def test_publishing_meanwhile_refuses_the_edit(draft):
    """A draft published between the page loading and the save is not changed after all."""
    from intake import services

    question = draft.questions.get(code="pregnant")
    services.questionnaire_publish(questionnaire=draft, confirmed_changes=())
    with pytest.raises(services.DraftRefused):
        services.question_save(
            questionnaire=draft, question=question, fields={"code": "x"}, choices=[], rules=[]
        )
    question.refresh_from_db()
    assert question.code == "pregnant"


def test_therapists_and_visitors_get_404(draft):
    question = draft.questions.first()
    kwargs = {"pk": draft.pk, "question_pk": question.pk}
    for who in ("ana",):
        browser = browser_for(who)
        assert browser.get(reverse("intake:question_edit", kwargs=kwargs)).status_code == 404
        assert (
            browser.post(
                reverse("intake:question_remove", kwargs=kwargs), {"remove": "yes"}
            ).status_code
            == 404
        )
    assert draft.questions.filter(pk=question.pk).exists()
