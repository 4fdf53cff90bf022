"""Give the first questionnaire, re-screen and consent text their Catalan and Spanish texts.

Frozen here like the English in 0002 and 0005: what a client reads in version 1 stays what it
was, whatever later edits say. Only empty texts are filled in; choices are matched by their
value and reasons by their rule's position, and no value a triage rule decides on changes.
"""

from django.db import migrations

LANGUAGES = ("ca", "es")

TRANSLATIONS_V1 = {
    ("booking", 1): {
        "title": {"ca": "Preguntes de salut", "es": "Preguntas de salud"},
        "questions": {
            "leg_symptoms": {
                "text": {
                    "ca": "Ara mateix tens dolor, inflor, vermellor o calor a les cames?",
                    "es": "¿Ahora mismo tienes dolor, "
                    "hinchazón, enrojecimiento o calor "
                    "en las piernas?",
                },
                "help_text": {
                    "ca": "Per exemple, un panxell que "
                    "et fa mal, que es veu inflat "
                    "o vermell, o que està calent "
                    "en tocar-lo.",
                    "es": "Por ejemplo, una pantorrilla "
                    "que te duele, que se ve "
                    "hinchada o roja, o que está "
                    "caliente al tacto.",
                },
            },
            "leg_symptoms_side": {
                "text": {
                    "ca": "En una cama o en totes dues?",
                    "es": "¿En una pierna o en las dos?",
                },
                "choices": {
                    "one": {"ca": "Només en una cama", "es": "Solo en una pierna"},
                    "both": {"ca": "En totes dues cames", "es": "En las dos piernas"},
                },
                "reasons": [
                    {
                        "ca": "Dolor, inflor, vermellor "
                        "o calor només en una "
                        "cama: possible coàgul.",
                        "es": "Dolor, hinchazón, "
                        "enrojecimiento o calor "
                        "solo en una pierna: "
                        "posible coágulo.",
                    },
                    {
                        "ca": "Dolor, inflor, vermellor o calor a totes dues cames.",
                        "es": "Dolor, hinchazón, enrojecimiento o calor en las dos piernas.",
                    },
                ],
            },
            "blood_clot": {
                "text": {
                    "ca": "Has tingut mai un coàgul de sang en "
                    "una vena (una trombosi venosa "
                    "profunda, o TVP), o algun metge "
                    "creu que ara en podries tenir un?",
                    "es": "¿Has tenido alguna vez un coágulo "
                    "de sangre en una vena (una "
                    "trombosis venosa profunda o TVP), o "
                    "algún médico cree que podrías tener "
                    "uno ahora?",
                },
                "choices": {
                    "no": {"ca": "No", "es": "No"},
                    "now": {
                        "ca": "Sí, ara en tinc un, o un metge creu que en podria tenir un",
                        "es": "Sí, tengo uno ahora, o un médico cree que podría tenerlo",
                    },
                    "past_not_cleared": {
                        "ca": "En vaig "
                        "tenir un en "
                        "el passat, "
                        "i un metge "
                        "encara no "
                        "m'ha dit "
                        "que em "
                        "pugui fer "
                        "un massatge",
                        "es": "Tuve uno en "
                        "el pasado y "
                        "ningún "
                        "médico me "
                        "ha dicho "
                        "todavía que "
                        "pueda "
                        "recibir "
                        "masajes",
                    },
                    "past_cleared": {
                        "ca": "En vaig tenir "
                        "un en el "
                        "passat, i un "
                        "metge m'ha dit "
                        "que em puc fer "
                        "un massatge",
                        "es": "Tuve uno en el "
                        "pasado y un "
                        "médico me ha "
                        "dicho que puedo "
                        "recibir "
                        "masajes",
                    },
                },
                "reasons": [
                    {
                        "ca": "Un coàgul de sang actual o sospitat (TVP).",
                        "es": "Coágulo de sangre actual o sospechado (TVP).",
                    },
                    {
                        "ca": "Un coàgul de sang anterior "
                        "sense el vistiplau d'un metge "
                        "per fer-se un massatge.",
                        "es": "Coágulo de sangre anterior sin "
                        "el visto bueno de un médico "
                        "para recibir masajes.",
                    },
                    {
                        "ca": "Un coàgul de sang anterior, amb el vistiplau d'un metge.",
                        "es": "Coágulo de sangre anterior, con el visto bueno de un médico.",
                    },
                ],
            },
            "varicose_veins": {
                "text": {"ca": "Tens varices?", "es": "¿Tienes varices?"},
                "help_text": {
                    "ca": "«Marcades» vol dir venes "
                    "grosses, sortides o "
                    "tortuoses, no pas unes "
                    "quantes venetes petites.",
                    "es": "Marcadas quiere decir "
                    "venas grandes, abultadas o "
                    "retorcidas, no unas pocas "
                    "arañas vasculares "
                    "pequeñas.",
                },
                "choices": {
                    "none": {"ca": "No", "es": "No"},
                    "mild": {"ca": "Unes quantes de petites", "es": "Unas pocas y pequeñas"},
                    "pronounced": {"ca": "Sí, marcades", "es": "Sí, marcadas"},
                },
                "reasons": [{"ca": "Varices marcades.", "es": "Varices marcadas."}],
            },
            "circulatory_condition": {
                "text": {
                    "ca": "Tens actualment alguna afecció circulatòria o vascular?",
                    "es": "¿Tienes actualmente algún problema circulatorio o vascular?",
                },
                "help_text": {
                    "ca": "Per exemple, una per la qual vas al metge o prens medicació.",
                    "es": "Por ejemplo, uno por el que vas al médico o tomas medicación.",
                },
                "reasons": [
                    {
                        "ca": "Una afecció circulatòria o vascular actual.",
                        "es": "Problema circulatorio o vascular actual.",
                    }
                ],
            },
            "skin_wound": {
                "text": {
                    "ca": "Tens alguna ferida oberta o infecció a les cames?",
                    "es": "¿Tienes alguna herida abierta o alguna infección en las piernas?",
                },
                "help_text": {
                    "ca": "Per exemple, un tall o una rascada que encara no s'ha curat.",
                    "es": "Por ejemplo, un corte o un rasguño que todavía no se ha curado.",
                },
                "reasons": [
                    {
                        "ca": "Una ferida oberta o una infecció a la zona del massatge.",
                        "es": "Herida abierta o infección en la zona del masaje.",
                    }
                ],
            },
            "skin_problems": {
                "text": {
                    "ca": "Tens algun altre problema de pell a les cames?",
                    "es": "¿Tienes algún otro problema de piel en las piernas?",
                },
                "help_text": {
                    "ca": "Per exemple, una erupció, èczema, una cremada o la pell molt fràgil.",
                    "es": "Por ejemplo, una erupción, eccema, una quemadura o la piel muy frágil.",
                },
                "reasons": [
                    {
                        "ca": "Un problema de pell a les cames.",
                        "es": "Problema de piel en las piernas.",
                    }
                ],
            },
            "foot_skin": {
                "text": {
                    "ca": "Tens alguna ferida, infecció, "
                    "infecció per fongs o qualsevol altre "
                    "problema de pell als peus?",
                    "es": "¿Tienes alguna herida, infección, "
                    "hongos u otro problema de piel en "
                    "los pies?",
                }
            },
            "foot_skin_kind": {
                "text": {
                    "ca": "Què és? Tria totes les opcions que corresponguin.",
                    "es": "¿Qué es? Marca todas las opciones que correspondan.",
                },
                "choices": {
                    "wound": {
                        "ca": "Una ferida oberta, un tall o una butllofa",
                        "es": "Una herida abierta, un corte o una ampolla",
                    },
                    "infection": {"ca": "Una infecció", "es": "Una infección"},
                    "fungal": {
                        "ca": "Una infecció per fongs, com el peu d'atleta o fongs a les ungles",
                        "es": "Hongos, como el pie de atleta o los hongos en las uñas",
                    },
                    "other": {
                        "ca": "Un altre problema "
                        "de pell, com una "
                        "erupció, pell "
                        "clivellada o una "
                        "berruga",
                        "es": "Otro problema de "
                        "piel, como una "
                        "erupción, grietas "
                        "o una verruga "
                        "plantar",
                    },
                },
                "reasons": [
                    {
                        "ca": "Una ferida oberta o una infecció als peus.",
                        "es": "Herida abierta o infección en los pies.",
                    },
                    {
                        "ca": "Fongs o un altre problema de pell als peus.",
                        "es": "Hongos u otro problema de piel en los pies.",
                    },
                ],
            },
            "pregnant": {
                "text": {"ca": "Estàs embarassada?", "es": "¿Estás embarazada?"},
                "help_text": {
                    "ca": "Si no és el teu cas, respon simplement que no.",
                    "es": "Si no es tu caso, responde simplemente que no.",
                },
                "reasons": [{"ca": "Embaràs.", "es": "Embarazo."}],
            },
            "pregnancy_complications": {
                "text": {
                    "ca": "Tens alguna "
                    "complicació en "
                    "l'embaràs, o la teva "
                    "llevadora o el teu "
                    "metge t'han recomanat "
                    "prudència?",
                    "es": "¿Hay alguna "
                    "complicación en tu "
                    "embarazo, o tu matrona "
                    "o tu médico te han "
                    "recomendado "
                    "precaución?",
                },
                "reasons": [
                    {
                        "ca": "Embaràs amb "
                        "complicacions, o "
                        "la llevadora o el "
                        "metge han "
                        "recomanat "
                        "prudència.",
                        "es": "Embarazo con "
                        "complicaciones, o "
                        "la matrona o el "
                        "médico han "
                        "recomendado "
                        "precaución.",
                    }
                ],
            },
            "injury_or_surgery": {
                "text": {
                    "ca": "En els darrers dotze mesos, "
                    "has tingut alguna lesió, "
                    "fractura o operació a les "
                    "cames o als peus? O hi tens "
                    "algun implant?",
                    "es": "En los últimos doce meses, "
                    "¿has tenido alguna lesión, "
                    "fractura u operación en las "
                    "piernas o los pies? ¿O "
                    "llevas algún implante en esa "
                    "zona?",
                },
                "help_text": {
                    "ca": "Un implant pot ser una "
                    "pròtesi articular, una "
                    "placa metàl·lica o "
                    "cargols.",
                    "es": "Un implante puede ser "
                    "una prótesis articular, "
                    "una placa metálica o "
                    "tornillos.",
                },
                "reasons": [
                    {
                        "ca": "Una lesió, fractura o "
                        "operació recent, o un "
                        "implant, a les cames o "
                        "als peus.",
                        "es": "Lesión, fractura u "
                        "operación reciente, o "
                        "implante, en las piernas "
                        "o los pies.",
                    }
                ],
            },
            "intense_pain": {
                "text": {
                    "ca": "Ara mateix tens un dolor intens en alguna part del cos?",
                    "es": "¿Ahora mismo tienes un dolor intenso en alguna parte?",
                },
                "reasons": [
                    {"ca": "Dolor intens en aquest moment.", "es": "Dolor intenso en este momento."}
                ],
            },
            "diabetes_or_neuropathy": {
                "text": {
                    "ca": "Tens diabetis o neuropatia (lesió dels nervis)?",
                    "es": "¿Tienes diabetes o neuropatía (lesión de los nervios)?",
                }
            },
            "numb_areas": {
                "text": {
                    "ca": "Hi ha zones de les cames o dels "
                    "peus on tens menys sensibilitat o "
                    "que notes adormides?",
                    "es": "¿Hay zonas de las piernas o los "
                    "pies en las que tengas menos "
                    "sensibilidad o que notes dormidas?",
                },
                "reasons": [
                    {
                        "ca": "Diabetis o neuropatia amb zones adormides a les cames o als peus.",
                        "es": "Diabetes o neuropatía con zonas "
                        "de sensibilidad reducida en las "
                        "piernas o los pies.",
                    }
                ],
            },
            "medical_condition": {
                "text": {
                    "ca": "A banda del que t'hem "
                    "preguntat més amunt, tens "
                    "alguna afecció mèdica o "
                    "diagnòstic actual?",
                    "es": "Aparte de lo anterior, "
                    "¿tienes actualmente alguna "
                    "enfermedad o algún "
                    "diagnóstico médico?",
                },
                "help_text": {
                    "ca": "Per exemple, alguna cosa per la qual vas al metge regularment.",
                    "es": "Por ejemplo, algo por lo que vas al médico con regularidad.",
                },
                "reasons": [
                    {
                        "ca": "Una altra afecció mèdica o diagnòstic actual.",
                        "es": "Otra enfermedad o diagnóstico médico actual.",
                    }
                ],
            },
            "lymphatic_assessed": {
                "text": {
                    "ca": "T'ha valorat algun professional de la salut per fer drenatge limfàtic?",
                    "es": "¿Te ha valorado un profesional sanitario para el drenaje linfático?",
                },
                "help_text": {
                    "ca": "Per exemple, el teu "
                    "metge o "
                    "fisioterapeuta. Si no, "
                    "cap problema: un dels "
                    "nostres terapeutes "
                    "llegirà les teves "
                    "respostes abans de "
                    "confirmar la reserva.",
                    "es": "Por ejemplo, tu médico "
                    "o tu fisioterapeuta. "
                    "Si no es así, no pasa "
                    "nada: uno de nuestros "
                    "terapeutas leerá tus "
                    "respuestas antes de "
                    "confirmar la reserva.",
                },
                "reasons": [
                    {
                        "ca": "Sense valoració prèvia "
                        "d'un professional de la "
                        "salut per al drenatge "
                        "limfàtic.",
                        "es": "Todavía sin valoración "
                        "de un profesional "
                        "sanitario para el "
                        "drenaje linfático.",
                    }
                ],
            },
            "sports_recent_injury": {
                "text": {
                    "ca": "En les últimes setmanes, "
                    "t'has fet una distensió, "
                    "un esquinç o alguna altra "
                    "lesió?",
                    "es": "En las últimas semanas, "
                    "¿has tenido algún tirón, "
                    "algún esguince u otra "
                    "lesión?",
                },
                "help_text": {
                    "ca": "Per exemple, entrenant, corrent o fent esport.",
                    "es": "Por ejemplo, entrenando, corriendo o haciendo deporte.",
                },
                "reasons": [
                    {
                        "ca": "Una lesió recent feta entrenant o fent esport.",
                        "es": "Lesión reciente por entrenamiento o deporte.",
                    }
                ],
            },
            "anything_else": {
                "text": {
                    "ca": "Hi ha alguna altra cosa que el teu terapeuta hauria de saber?",
                    "es": "¿Hay algo más que tu terapeuta deba saber?",
                },
                "help_text": {
                    "ca": "Opcional. Per exemple, una "
                    "zona que vols que eviti o "
                    "la pressió que prefereixes.",
                    "es": "Opcional. Por ejemplo, una "
                    "zona que prefieras que "
                    "evite o la presión que te "
                    "gusta.",
                },
            },
        },
    },
    ("rescreen", 1): {
        "title": {"ca": "Abans de la visita", "es": "Antes de tu visita"},
        "questions": {
            "leg_symptoms_now": {
                "text": {
                    "ca": "Des que vas fer la reserva, "
                    "has notat dolor, inflor, "
                    "vermellor o calor a les "
                    "cames?",
                    "es": "Desde que reservaste, ¿has "
                    "notado dolor, hinchazón, "
                    "enrojecimiento o calor en "
                    "las piernas?",
                }
            },
            "leg_symptoms_now_side": {
                "text": {
                    "ca": "En una cama o en totes dues?",
                    "es": "¿En una pierna o en las dos?",
                },
                "choices": {
                    "one": {"ca": "Només en una cama", "es": "Solo en una pierna"},
                    "both": {"ca": "En totes dues cames", "es": "En las dos piernas"},
                },
                "reasons": [
                    {
                        "ca": "Comprovació abans "
                        "de la visita: "
                        "dolor, inflor, "
                        "vermellor o calor "
                        "només en una cama.",
                        "es": "Comprobación antes "
                        "de la visita: "
                        "dolor, hinchazón, "
                        "enrojecimiento o "
                        "calor solo en una "
                        "pierna.",
                    },
                    {
                        "ca": "Comprovació abans de la visita: símptomes a totes dues cames.",
                        "es": "Comprobación antes de la visita: síntomas en las dos piernas.",
                    },
                ],
            },
            "clot_now": {
                "text": {
                    "ca": "Des d'aleshores, algun metge t'ha "
                    "dit que podries tenir un coàgul de "
                    "sang?",
                    "es": "Desde entonces, ¿algún médico te ha "
                    "dicho que podrías tener un coágulo "
                    "de sangre?",
                },
                "reasons": [
                    {
                        "ca": "Comprovació abans de la visita: sospita de coàgul de sang.",
                        "es": "Comprobación antes de la visita: sospecha de coágulo de sangre.",
                    }
                ],
            },
            "new_injury": {
                "text": {
                    "ca": "Has tingut alguna lesió, fractura o operació nova?",
                    "es": "¿Has tenido alguna lesión, fractura u operación nueva?",
                },
                "reasons": [
                    {
                        "ca": "Comprovació abans de la "
                        "visita: una lesió, fractura o "
                        "operació nova.",
                        "es": "Comprobación antes de la "
                        "visita: lesión, fractura u "
                        "operación nueva.",
                    }
                ],
            },
            "anything_changed": {
                "text": {
                    "ca": "Ha canviat alguna altra cosa de la teva salut?",
                    "es": "¿Ha cambiado algo más en tu salud?",
                },
                "reasons": [
                    {
                        "ca": "Comprovació abans de la visita: ha canviat alguna altra cosa.",
                        "es": "Comprobación antes de la visita: ha cambiado algo más.",
                    }
                ],
            },
            "anything_changed_detail": {
                "text": {
                    "ca": "Explica'ns breument què ha canviat.",
                    "es": "Cuéntanos brevemente qué ha cambiado.",
                }
            },
        },
    },
}

CONSENT_TEXT_V1 = {
    "ca": "Les respostes a aquestes preguntes tracten sobre la teva salut i, per això, mereixen una "
    "cura especial. Te les demanem per un sol motiu: que la teva sessió sigui segura i adaptada "
    "a tu.\n"
    "\n"
    "En marcar aquesta casella, dones el teu consentiment explícit perquè el centre guardi i "
    "utilitzi les teves respostes amb aquesta finalitat. Només les poden llegir tu, el teu "
    "terapeuta i la persona responsable del centre, i cada vegada que algú les obre queda "
    "registrat.\n"
    "\n"
    "Pots demanar en qualsevol moment una còpia de les teves respostes o que les esborrem. El "
    "registre de les teves reserves es conserva. També pots retirar el consentiment quan "
    "vulguis; sense aquestes respostes, no es pot reservar una sessió en línia.",
    "es": "Tus respuestas a estas preguntas tratan sobre tu salud, así que merecen un cuidado "
    "especial. Te las pedimos por un único motivo: que tu sesión sea segura y se adapte a ti.\n"
    "\n"
    "Al marcar esta casilla, das tu consentimiento explícito para que el centro guarde y use "
    "tus respuestas con esa finalidad. Solo pueden leerlas tú, tu terapeuta y la persona "
    "responsable del centro, y cada vez que alguien las abre, queda registrado.\n"
    "\n"
    "Puedes pedir en cualquier momento una copia de tus respuestas o que las borremos. El "
    "registro de tus reservas, en sí, se conserva. También puedes retirar tu consentimiento "
    "cuando quieras; sin estas respuestas, no se puede reservar una sesión en línea.",
}


def _fill(row, field, texts):
    for language in LANGUAGES:
        column = f"{field}_{language}"
        if not getattr(row, column):
            setattr(row, column, texts[language])


def translate_v1(apps, schema_editor):
    Questionnaire = apps.get_model("intake", "Questionnaire")
    ConsentText = apps.get_model("intake", "ConsentText")
    for (kind, version), data in TRANSLATIONS_V1.items():
        questionnaire = Questionnaire.objects.filter(kind=kind, version=version).first()
        if questionnaire is None:
            continue
        _fill(questionnaire, "title", data["title"])
        questionnaire.save()
        for question in questionnaire.questions.all():
            texts = data["questions"].get(question.code)
            if texts is None:
                continue
            _fill(question, "text", texts["text"])
            if "help_text" in texts:
                _fill(question, "help_text", texts["help_text"])
            for choice in question.choices:
                labels = texts.get("choices", {}).get(choice["value"], {})
                for language in LANGUAGES:
                    if language in labels:
                        choice.setdefault(f"label_{language}", labels[language])
            for rule, reasons in zip(question.rules, texts.get("reasons", []), strict=False):
                for language in LANGUAGES:
                    rule.setdefault(f"reason_{language}", reasons[language])
            question.save()
    consent = ConsentText.objects.filter(version=1).first()
    if consent is not None:
        _fill(consent, "text", CONSENT_TEXT_V1)
        consent.save()


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0009_translated_texts"),
    ]

    operations = [
        migrations.RunPython(translate_v1, migrations.RunPython.noop),
    ]
