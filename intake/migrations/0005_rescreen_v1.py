"""Load the first version of the pre-visit re-screen as data.

Frozen here as first shipped, like the booking questionnaire (see 0002 and
docs/QUESTIONNAIRES.md).
"""

from django.db import migrations
from django.utils import timezone

RESCREEN_QUESTIONS_V1 = [{'code': 'leg_symptoms_now',
  'section': 'changes',
  'text': 'Since you booked, have you noticed pain, swelling, redness or warmth in your legs?',
  'kind': 'yes_no',
  'help_text': '',
  'choices': [],
  'required': True,
  'show_if_question': '',
  'show_if_values': [],
  'services': [],
  'rules': []},
 {'code': 'leg_symptoms_now_side',
  'section': 'changes',
  'text': 'In one leg or both?',
  'kind': 'choice',
  'help_text': '',
  'choices': [{'value': 'one', 'label': 'In one leg only'},
              {'value': 'both', 'label': 'In both legs'}],
  'required': True,
  'show_if_question': 'leg_symptoms_now',
  'show_if_values': ['yes'],
  'services': [],
  'rules': [{'when': ['one'],
             'level': 'stop',
             'reason': 'Re-screen: pain, swelling, redness or warmth in one leg only.'},
            {'when': ['both'],
             'level': 'review',
             'reason': 'Re-screen: symptoms in both legs.'}]},
 {'code': 'clot_now',
  'section': 'changes',
  'text': 'Has a doctor told you since then that you may have a blood clot?',
  'kind': 'yes_no',
  'help_text': '',
  'choices': [],
  'required': True,
  'show_if_question': '',
  'show_if_values': [],
  'services': [],
  'rules': [{'when': ['yes'],
             'level': 'stop',
             'reason': 'Re-screen: a suspected blood clot.'}]},
 {'code': 'new_injury',
  'section': 'changes',
  'text': 'Have you had a new injury, fracture or operation?',
  'kind': 'yes_no',
  'help_text': '',
  'choices': [],
  'required': True,
  'show_if_question': '',
  'show_if_values': [],
  'services': [],
  'rules': [{'when': ['yes'],
             'level': 'review',
             'reason': 'Re-screen: a new injury, fracture or operation.'}]},
 {'code': 'anything_changed',
  'section': 'changes',
  'text': 'Has anything else about your health changed?',
  'kind': 'yes_no',
  'help_text': '',
  'choices': [],
  'required': True,
  'show_if_question': '',
  'show_if_values': [],
  'services': [],
  'rules': [{'when': ['yes'],
             'level': 'review',
             'reason': 'Re-screen: something else has changed.'}]},
 {'code': 'anything_changed_detail',
  'section': 'changes',
  'text': 'Tell us briefly what has changed.',
  'kind': 'text',
  'help_text': '',
  'choices': [],
  'required': False,
  'show_if_question': 'anything_changed',
  'show_if_values': ['yes'],
  'services': [],
  'rules': []}]


def load_rescreen_v1(apps, schema_editor):
    Questionnaire = apps.get_model("intake", "Questionnaire")
    Question = apps.get_model("intake", "Question")
    questionnaire, created = Questionnaire.objects.get_or_create(
        kind="rescreen",
        version=1,
        defaults={"title": "Before your visit", "published_at": timezone.now()},
    )
    if not created:
        return
    for position, fields in enumerate(RESCREEN_QUESTIONS_V1, start=1):
        Question.objects.create(questionnaire=questionnaire, position=position, **fields)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0004_questionnaire_kind"),
    ]

    operations = [
        migrations.RunPython(load_rescreen_v1, migrations.RunPython.noop),
    ]
