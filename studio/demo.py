"""The demo studio's content. Copy follows the studio page in the seeds: warm, plain, no claims."""

from datetime import time

TAGLINE = {
    "en": "Leg, foot and sports massage in a quiet studio in Barcelona.",
    "ca": "Massatge de cames, de peus i esportiu en un centre tranquil de Barcelona.",
    "es": "Masaje de piernas, de pies y deportivo en un centro tranquilo de Barcelona.",
}

ROOMS = [
    ("Olive room", "olive"),
    ("Garden room", "garden"),
]

PRECAUTIONS_LEGS = (
    "For most healthy people a gentle session is calm and straightforward. Even so, some "
    "situations call for a word with a health professional before going ahead: pregnancy "
    "(especially with complications), pronounced varicose veins, a recent injury, fracture, "
    "surgery or implant in the legs, intense pain, skin problems in the area, diabetes or "
    "neuropathy with numb areas, or any ongoing circulatory or medical diagnosis. Letting us "
    "know beforehand lets your therapist adapt the session or, if needed, postpone it.\n\n"
    "One warning matters above all. If you notice pain, swelling, redness or a sensation of "
    "warmth in a single leg, do not go ahead with a massage: seek medical attention promptly "
    "instead. The same applies to a suspected or known blood clot that a doctor has not "
    "cleared, and to an open wound or infection in the area."
)

PRECAUTIONS_LEGS_CA = (
    "Per a la majoria de persones sanes, una sessió suau és tranquil·la i senzilla. Tot i així, hi "
    "ha situacions en què convé parlar amb un professional de la salut abans de fer-la: l'embaràs "
    "(sobretot si hi ha complicacions), les varices marcades, una lesió, fractura, operació o "
    "implant recent a les cames, el dolor intens, problemes de pell a la zona, la diabetis o la "
    "neuropatia amb zones adormides, o qualsevol diagnòstic circulatori o mèdic actual. Si ens ho "
    "dius abans, el teu terapeuta podrà adaptar la sessió o, si cal, ajornar-la.\n\n"
    "Hi ha un avís que és el més important de tots. Si notes dolor, inflor, vermellor o sensació "
    "de calor només en una cama, no et facis cap massatge: demana atenció mèdica de seguida. El "
    "mateix val si tens, o es sospita que tens, un coàgul de sang sense el vistiplau d'un metge, i "
    "si tens una ferida oberta o una infecció a la zona."
)

PRECAUTIONS_LEGS_ES = (
    "Para la mayoría de las personas sanas, una sesión suave es tranquila y sencilla. Aun así, hay "
    "situaciones en las que conviene hablar con un profesional sanitario antes de hacerla: el "
    "embarazo (sobre todo si hay complicaciones), las varices marcadas, una lesión, fractura, "
    "operación o implante recientes en las piernas, el dolor intenso, problemas de piel en la "
    "zona, la diabetes o la neuropatía con zonas de sensibilidad reducida, o cualquier diagnóstico "
    "circulatorio o médico actual. Si nos lo cuentas antes, tu terapeuta podrá adaptar la sesión "
    "o, si hace falta, aplazarla.\n\n"
    "Hay un aviso que importa por encima de todo. Si notas dolor, hinchazón, enrojecimiento o "
    "sensación de calor solo en una pierna, no te hagas ningún masaje: busca atención médica "
    "cuanto antes. Lo mismo si tienes, o se sospecha que tienes, un coágulo de sangre sin el visto "
    "bueno de un médico, o si tienes una herida abierta o una infección en la zona."
)

AFTERCARE = (
    "Many people notice a pleasant sense of lightness or ease afterwards, and sometimes a "
    "little drowsiness. Take a few minutes before returning to your day, and drinking some "
    "water is a reasonable habit after any bodywork session.\n\n"
    "If instead you notice a discomfort that does not pass, dizziness or anything unusual, do "
    "not ignore it: consulting a health professional is always the sensible call."
)

AFTERCARE_CA = (
    "Després de la sessió, moltes persones noten una agradable sensació de lleugeresa o benestar, "
    "i de vegades una mica de son. Pren-te uns minuts abans de tornar a les teves activitats; "
    "beure una mica d'aigua és un bon hàbit després de qualsevol sessió de treball corporal.\n\n"
    "Si, en canvi, notes una molèstia que no passa, mareig o qualsevol cosa fora del normal, no ho "
    "deixis córrer: consultar un professional de la salut sempre és el més sensat."
)

AFTERCARE_ES = (
    "Después de la sesión, mucha gente nota una agradable sensación de ligereza o bienestar, y a "
    "veces un poco de somnolencia. Tómate unos minutos antes de volver a tu rutina; beber un poco "
    "de agua es un buen hábito después de cualquier sesión de trabajo corporal.\n\n"
    "Si, en cambio, notas una molestia que no se te pasa, mareo o cualquier cosa fuera de lo "
    "normal, no lo ignores: consultar a un profesional sanitario siempre es lo más sensato."
)

SERVICES = [
    {
        "slug": "leg-massage",
        "name": "Leg massage",
        "position": 1,
        "buffer_minutes": 10,
        "requires_assessment": False,
        "summary": (
            "Calves and thighs with light or medium pressure and long upward strokes, for a "
            "sense of rest and lightness after a long day."
        ),
        "description": (
            "A session focused on the lower body: calves, thighs and, if you like, the feet. "
            "Your therapist works with light or medium pressure, often with long upward strokes "
            "and an oil or cream so the hands glide smoothly.\n\n"
            "It is a wellness and self-care service, not a medical treatment. It can leave a "
            "momentary sense of relaxation and ease; it does not change the shape of your legs "
            "or resolve circulatory conditions."
        ),
        "what_to_expect": (
            "We begin with a short check-in: how you feel today and anything your therapist "
            "should know. The massage usually starts at the calves and moves up toward the "
            "thighs. At no point should it hurt: if a movement bothers you, just ask for the "
            "pressure to be adjusted."
        ),
        "who_it_may_suit": (
            "People who feel heaviness or tiredness in the legs after many hours sitting at a "
            "desk or standing at work, and active people who like it as part of their routine. "
            "If the heaviness keeps coming back, it is worth mentioning to a health "
            "professional so the cause can be looked at."
        ),
        "precautions": PRECAUTIONS_LEGS,
        "aftercare": AFTERCARE,
        "name_ca": "Massatge de cames",
        "name_es": "Masaje de piernas",
        "summary_ca": (
            "Panxells i cuixes amb pressió suau o mitjana i moviments llargs i ascendents, per a "
            "una sensació de descans i lleugeresa després d'un dia llarg."
        ),
        "summary_es": (
            "Pantorrillas y muslos con presión suave o media y movimientos largos y ascendentes, "
            "para una sensación de descanso y ligereza después de un día largo."
        ),
        "description_ca": (
            "Una sessió centrada en la part inferior del cos: panxells, cuixes i, si vols, els "
            "peus. El teu terapeuta treballa amb pressió suau o mitjana, sovint amb moviments "
            "llargs i ascendents i amb un oli o una crema perquè les mans llisquin bé.\n\n"
            "És un servei de benestar i autocura, no un tractament mèdic. Et pot deixar una "
            "sensació momentània de relaxació i tranquil·litat; no canvia la forma de les cames ni "
            "resol problemes circulatoris."
        ),
        "description_es": (
            "Una sesión centrada en la parte inferior del cuerpo: pantorrillas, muslos y, si "
            "quieres, los pies. Tu terapeuta trabaja con presión suave o media, a menudo con "
            "movimientos largos y ascendentes y con un aceite o una crema para que las manos se "
            "deslicen bien.\n\n"
            "Es un servicio de bienestar y autocuidado, no un tratamiento médico. Puede dejarte "
            "una sensación pasajera de relajación y tranquilidad; no cambia la forma de las "
            "piernas ni resuelve problemas circulatorios."
        ),
        "what_to_expect_ca": (
            "Comencem amb una breu conversa: com et trobes avui i qualsevol cosa que el teu "
            "terapeuta hagi de saber. El massatge sol començar pels panxells i va pujant cap a les "
            "cuixes. No t'ha de fer mal en cap moment: si algun moviment et molesta, només cal que "
            "demanis que t'ajustin la pressió."
        ),
        "what_to_expect_es": (
            "Empezamos con una breve conversación: cómo te encuentras hoy y cualquier cosa que tu "
            "terapeuta deba saber. El masaje suele empezar por las pantorrillas y va subiendo "
            "hacia los muslos. En ningún momento debería doler: si algún movimiento te molesta, "
            "basta con que pidas que te ajusten la presión."
        ),
        "who_it_may_suit_ca": (
            "Persones que noten les cames pesades o cansades després de moltes hores assegudes a "
            "l'escriptori o dretes a la feina, i persones actives que l'inclouen en la seva "
            "rutina. Si la pesadesa torna una vegada i una altra, val la pena comentar-ho a un "
            "professional de la salut perquè en pugui valorar la causa."
        ),
        "who_it_may_suit_es": (
            "Personas que notan las piernas pesadas o cansadas después de muchas horas sentadas en "
            "la oficina o de pie en el trabajo, y personas activas a las que les gusta incluirlo "
            "en su rutina. Si la pesadez vuelve una y otra vez, vale la pena comentarlo con un "
            "profesional sanitario para que pueda valorar la causa."
        ),
        "precautions_ca": PRECAUTIONS_LEGS_CA,
        "precautions_es": PRECAUTIONS_LEGS_ES,
        "aftercare_ca": AFTERCARE_CA,
        "aftercare_es": AFTERCARE_ES,
        "lengths": [(30, "32.00"), (45, "44.00"), (60, "56.00")],
        "rooms": ["olive", "garden"],
    },
    {
        "slug": "foot-massage",
        "name": "Foot massage",
        "position": 2,
        "buffer_minutes": 10,
        "requires_assessment": False,
        "summary": (
            "Unhurried work on the feet and ankles, a natural companion to a day spent walking "
            "or standing."
        ),
        "description": (
            "A session for the feet and ankles with gentle, attentive pressure. Many people "
            "simply enjoy the calm it brings.\n\n"
            "Like all our sessions it is a wellness service, not a treatment for any condition."
        ),
        "what_to_expect": (
            "After a short check-in your therapist works on each foot in turn, adjusting the "
            "pressure to what feels comfortable for you."
        ),
        "who_it_may_suit": (
            "Anyone who spends long hours on their feet, or who would like a quiet half hour "
            "of rest."
        ),
        "precautions": (
            "Please tell us before the session about any wound, infection, fungal or other skin "
            "problem on the feet, and about diabetes or neuropathy with numb areas, so your "
            "therapist can adapt the session or suggest waiting.\n\n"
            "If you notice pain, swelling, redness or warmth in one leg only, do not go ahead "
            "with a massage: seek medical attention promptly instead."
        ),
        "aftercare": AFTERCARE,
        "name_ca": "Massatge de peus",
        "name_es": "Masaje de pies",
        "summary_ca": (
            "Un treball sense presses als peus i als turmells, el complement natural d'un dia de "
            "caminar o d'estar dempeus."
        ),
        "summary_es": (
            "Un trabajo sin prisas en los pies y los tobillos, el complemento natural de un día "
            "caminando o de pie."
        ),
        "description_ca": (
            "Una sessió per als peus i els turmells, amb una pressió suau i atenta. Moltes "
            "persones simplement en gaudeixen per la calma que els aporta.\n\n"
            "Com totes les nostres sessions, és un servei de benestar, no un tractament per a cap "
            "problema de salut."
        ),
        "description_es": (
            "Una sesión para los pies y los tobillos, con una presión suave y atenta. Mucha gente "
            "simplemente disfruta de la calma que le aporta.\n\n"
            "Como todas nuestras sesiones, es un servicio de bienestar, no un tratamiento para "
            "ningún problema de salud."
        ),
        "what_to_expect_ca": (
            "Després d'una breu conversa, el teu terapeuta treballa primer un peu i després "
            "l'altre, i ajusta la pressió perquè et resulti còmoda."
        ),
        "what_to_expect_es": (
            "Después de una breve conversación, tu terapeuta trabaja primero un pie y luego el "
            "otro, y ajusta la presión para que te resulte cómoda."
        ),
        "who_it_may_suit_ca": (
            "Qualsevol persona que passi moltes hores dempeus, o que tingui ganes de mitja hora "
            "tranquil·la de descans."
        ),
        "who_it_may_suit_es": (
            "Cualquier persona que pase muchas horas de pie, o a la que le apetezca media hora "
            "tranquila de descanso."
        ),
        "precautions_ca": (
            "Abans de la sessió, explica'ns si tens alguna ferida, infecció, fongs o un altre "
            "problema de pell als peus, i si tens diabetis o neuropatia amb zones adormides, "
            "perquè el teu terapeuta pugui adaptar la sessió o recomanar-te que esperis.\n\n"
            "Si notes dolor, inflor, vermellor o calor només en una cama, no et facis cap "
            "massatge: demana atenció mèdica de seguida."
        ),
        "precautions_es": (
            "Antes de la sesión, cuéntanos si tienes alguna herida, infección, hongos u otro "
            "problema de piel en los pies, y si tienes diabetes o neuropatía con zonas de "
            "sensibilidad reducida, para que tu terapeuta pueda adaptar la sesión o recomendarte "
            "esperar.\n\n"
            "Si notas dolor, hinchazón, enrojecimiento o calor solo en una pierna, no te hagas "
            "ningún masaje: busca atención médica cuanto antes."
        ),
        "aftercare_ca": AFTERCARE_CA,
        "aftercare_es": AFTERCARE_ES,
        "lengths": [(30, "30.00"), (45, "42.00")],
        "rooms": ["olive", "garden"],
    },
    {
        "slug": "sports-massage",
        "name": "Sports massage",
        "position": 3,
        "buffer_minutes": 15,
        "requires_assessment": False,
        "summary": (
            "Framed around physical activity: deeper, more focused work as part of your "
            "training and recovery routine."
        ),
        "description": (
            "A sports massage is designed with physical training in mind. Your therapist "
            "adapts it to what you do, where you feel tight and how you want to feel after.\n\n"
            "It is part of a self-care routine, not a treatment for an injury. For pain that "
            "is sharp, new or not getting better, a health professional is the right first step."
        ),
        "what_to_expect": (
            "We ask about your activity and any recent strain or injury, then work on the "
            "areas you choose, with more localised pressure where it suits you."
        ),
        "who_it_may_suit": (
            "People who run, cycle, train or play regularly and want a session built around that."
        ),
        "precautions": PRECAUTIONS_LEGS,
        "aftercare": AFTERCARE,
        "name_ca": "Massatge esportiu",
        "name_es": "Masaje deportivo",
        "summary_ca": (
            "Pensat per a l'activitat física: un treball més profund i localitzat, com a part de "
            "la teva rutina d'entrenament i recuperació."
        ),
        "summary_es": (
            "Pensado para la actividad física: un trabajo más profundo y localizado, como parte de "
            "tu rutina de entrenamiento y recuperación."
        ),
        "description_ca": (
            "El massatge esportiu està pensat per a qui entrena. El teu terapeuta l'adapta a "
            "l'activitat que fas, a les zones on notes tensió i a com et vols sentir després.\n\n"
            "Forma part d'una rutina d'autocura, no és un tractament per a lesions. Si tens un "
            "dolor agut, nou o que no millora, el primer pas és consultar un professional de la "
            "salut."
        ),
        "description_es": (
            "El masaje deportivo está pensado para quien entrena. Tu terapeuta lo adapta a lo que "
            "haces, a las zonas donde notas tensión y a cómo quieres sentirte después.\n\n"
            "Forma parte de una rutina de autocuidado, no es un tratamiento para lesiones. Si "
            "tienes un dolor agudo, nuevo o que no mejora, lo primero es consultar a un "
            "profesional sanitario."
        ),
        "what_to_expect_ca": (
            "Et preguntem per la teva activitat i per si has tingut cap distensió o lesió recent, "
            "i després treballem les zones que triïs, amb una pressió més localitzada allà on et "
            "vagi bé."
        ),
        "what_to_expect_es": (
            "Te preguntamos por tu actividad y por si has tenido algún tirón o lesión reciente, y "
            "luego trabajamos las zonas que elijas, con una presión más localizada donde te vaya "
            "bien."
        ),
        "who_it_may_suit_ca": (
            "Persones que corren, van en bicicleta, entrenen o fan esport de manera regular i "
            "volen una sessió pensada per a això."
        ),
        "who_it_may_suit_es": (
            "Personas que corren, montan en bici, entrenan o hacen deporte con regularidad y "
            "quieren una sesión pensada para ello."
        ),
        "precautions_ca": PRECAUTIONS_LEGS_CA,
        "precautions_es": PRECAUTIONS_LEGS_ES,
        "aftercare_ca": AFTERCARE_CA,
        "aftercare_es": AFTERCARE_ES,
        "lengths": [(45, "48.00"), (60, "60.00")],
        "rooms": ["garden"],
    },
    {
        "slug": "lymphatic-drainage",
        "name": "Lymphatic drainage",
        "position": 4,
        "buffer_minutes": 15,
        "requires_assessment": True,
        "summary": (
            "A very light, rhythmic technique that needs a therapist's assessment before the "
            "first session."
        ),
        "description": (
            "Lymphatic drainage is a different technique from a leg massage: it uses a very "
            "specific rhythm and very light pressure. It has significant contraindications and "
            "in many cases needs prior assessment by a health professional.\n\n"
            "It is not a method for reshaping the body or resolving health problems on its own."
        ),
        "what_to_expect": (
            "Every booking first goes to one of our therapists, who reads your answers and "
            "confirms the session, suggests adaptations, or explains why another option fits "
            "better. You will hear from us before your visit."
        ),
        "who_it_may_suit": (
            "People who have talked it over with a health professional, or who would like a "
            "therapist to look at whether it suits them."
        ),
        "precautions": PRECAUTIONS_LEGS,
        "aftercare": AFTERCARE,
        "name_ca": "Drenatge limfàtic",
        "name_es": "Drenaje linfático",
        "summary_ca": (
            "Una tècnica molt suau i rítmica que necessita una valoració del terapeuta abans de la "
            "primera sessió."
        ),
        "summary_es": (
            "Una técnica muy suave y rítmica que necesita la valoración de un terapeuta antes de "
            "la primera sesión."
        ),
        "description_ca": (
            "El drenatge limfàtic és una tècnica diferent del massatge de cames: fa servir un "
            "ritme molt concret i una pressió molt suau. Té contraindicacions importants i, en "
            "molts casos, necessita una valoració prèvia d'un professional de la salut.\n\n"
            "No és un mètode per remodelar el cos ni per resoldre problemes de salut per si sol."
        ),
        "description_es": (
            "El drenaje linfático es una técnica distinta del masaje de piernas: usa un ritmo muy "
            "concreto y una presión muy suave. Tiene contraindicaciones importantes y, en muchos "
            "casos, necesita una valoración previa de un profesional sanitario.\n\n"
            "No es un método para remodelar el cuerpo ni para resolver problemas de salud por sí "
            "solo."
        ),
        "what_to_expect_ca": (
            "Cada reserva passa primer per un dels nostres terapeutes, que llegeix les teves "
            "respostes i et confirma la sessió, et proposa adaptacions o t'explica per què et "
            "convé més una altra opció. Tindràs notícies nostres abans de la visita."
        ),
        "what_to_expect_es": (
            "Cada reserva pasa primero por uno de nuestros terapeutas, que lee tus respuestas y te "
            "confirma la sesión, te propone adaptaciones o te explica por qué te encaja mejor otra "
            "opción. Tendrás noticias nuestras antes de tu visita."
        ),
        "who_it_may_suit_ca": (
            "Persones que ja n'han parlat amb un professional de la salut, o que volen que un "
            "terapeuta valori si és adequat per a elles."
        ),
        "who_it_may_suit_es": (
            "Personas que ya lo han hablado con un profesional sanitario, o que quieren que un "
            "terapeuta valore si es adecuado para ellas."
        ),
        "precautions_ca": PRECAUTIONS_LEGS_CA,
        "precautions_es": PRECAUTIONS_LEGS_ES,
        "aftercare_ca": AFTERCARE_CA,
        "aftercare_es": AFTERCARE_ES,
        "lengths": [(45, "50.00"), (60, "62.00")],
        "rooms": ["olive"],
    },
    {
        "slug": "leg-and-foot-massage",
        "name": "Leg and foot massage",
        "position": 5,
        "buffer_minutes": 10,
        "requires_assessment": False,
        "summary": (
            "Legs and feet in one session, since the two areas complement each other naturally."
        ),
        "description": (
            "A combined session that works from the feet up through the calves and thighs, "
            "with light to medium pressure.\n\n"
            "A wellness and self-care service: it can leave a sense of rest and ease, without "
            "any medical promise."
        ),
        "what_to_expect": (
            "A short check-in, then the feet first and the legs after, with long upward "
            "strokes. Ask at any time for more or less pressure."
        ),
        "who_it_may_suit": (
            "Anyone with tired legs and feet at the end of the day, or who simply wants a "
            "longer moment of rest."
        ),
        "precautions": PRECAUTIONS_LEGS,
        "aftercare": AFTERCARE,
        "name_ca": "Massatge de cames i peus",
        "name_es": "Masaje de piernas y pies",
        "summary_ca": (
            "Cames i peus en una sola sessió, perquè les dues zones es complementen de manera "
            "natural."
        ),
        "summary_es": (
            "Piernas y pies en una sola sesión, porque las dos zonas se complementan de forma "
            "natural."
        ),
        "description_ca": (
            "Una sessió combinada que comença pels peus i puja pels panxells fins a les cuixes, "
            "amb una pressió de suau a mitjana.\n\n"
            "Un servei de benestar i autocura: et pot deixar una sensació de descans i "
            "tranquil·litat, sense cap promesa mèdica."
        ),
        "description_es": (
            "Una sesión combinada que empieza por los pies y sube por las pantorrillas hasta los "
            "muslos, con una presión de suave a media.\n\n"
            "Un servicio de bienestar y autocuidado: puede dejarte una sensación de descanso y "
            "tranquilidad, sin ninguna promesa médica."
        ),
        "what_to_expect_ca": (
            "Una breu conversa i, després, primer els peus i a continuació les cames, amb "
            "moviments llargs i ascendents. Pots demanar més o menys pressió en qualsevol moment."
        ),
        "what_to_expect_es": (
            "Una breve conversación y, después, primero los pies y luego las piernas, con "
            "movimientos largos y ascendentes. Puedes pedir más o menos presión en cualquier "
            "momento."
        ),
        "who_it_may_suit_ca": (
            "Qualsevol persona que acaba el dia amb les cames i els peus cansats, o que simplement "
            "vol un moment de descans més llarg."
        ),
        "who_it_may_suit_es": (
            "Cualquier persona que termina el día con las piernas y los pies cansados, o que "
            "simplemente quiere un rato de descanso más largo."
        ),
        "precautions_ca": PRECAUTIONS_LEGS_CA,
        "precautions_es": PRECAUTIONS_LEGS_ES,
        "aftercare_ca": AFTERCARE_CA,
        "aftercare_es": AFTERCARE_ES,
        "lengths": [(45, "46.00"), (60, "58.00")],
        "rooms": ["olive", "garden"],
    },
]

_WEEKDAYS_MORNING = [(day, time(9, 0), time(14, 0)) for day in range(0, 5)]
_WEEKDAYS_AFTERNOON = [(day, time(14, 0), time(20, 0)) for day in range(0, 5)]

THERAPISTS = [
    {
        "username": "ana",
        "slug": "ana",
        "display_name": "Ana Ruiz",
        "email": "ana@calma.localhost",
        "bio": "Ana has worked with tired legs and feet for twelve years and loves a calm, "
        "unhurried session.",
        "bio_ca": (
            "L'Ana fa dotze anys que treballa amb cames i peus cansats, i li encanten les sessions "
            "tranquil·les i sense presses."
        ),
        "bio_es": (
            "Ana lleva doce años trabajando con piernas y pies cansados, y le encantan las "
            "sesiones tranquilas y sin prisas."
        ),
        "services": ["leg-massage", "foot-massage", "leg-and-foot-massage", "lymphatic-drainage"],
        "hours": [*_WEEKDAYS_MORNING, (5, time(10, 0), time(14, 0))],
    },
    {
        "username": "ben",
        "slug": "ben",
        "display_name": "Ben Ortega",
        "email": "ben@calma.localhost",
        "bio": "Ben runs marathons and focuses on sports massage for people who train.",
        "bio_ca": (
            "En Ben corre maratons i se centra en el massatge esportiu per a persones que entrenen."
        ),
        "bio_es": (
            "Ben corre maratones y se centra en el masaje deportivo para personas que entrenan."
        ),
        "services": ["sports-massage", "leg-massage", "leg-and-foot-massage"],
        "hours": _WEEKDAYS_AFTERNOON,
    },
    {
        "username": "carla",
        "slug": "carla",
        "display_name": "Carla Vidal",
        "email": "carla@calma.localhost",
        "bio": "Carla trained in lymphatic drainage and works closely with clients' health "
        "professionals.",
        "bio_ca": (
            "La Carla es va formar en drenatge limfàtic i treballa colze a colze amb els "
            "professionals de la salut dels seus clients."
        ),
        "bio_es": (
            "Carla se formó en drenaje linfático y trabaja en estrecha colaboración con los "
            "profesionales sanitarios de sus clientes."
        ),
        "services": ["lymphatic-drainage", "leg-massage", "foot-massage", "leg-and-foot-massage"],
        "hours": [(day, time(10, 0), time(13, 30)) for day in (1, 2, 3)]
        + [(day, time(15, 0), time(19, 0)) for day in (1, 2, 3)],
    },
]

# Demo credentials: printed by seed_demo. Never use a demo database in production.
DEMO_PASSWORD = "calma-demo-2026"  # noqa: S105 (printed for the demo on purpose)
STAFF = {"username": "frontdesk", "email": "frontdesk@calma.localhost", "first_name": "Front"}
OWNER = {"username": "owner", "email": "owner@calma.localhost", "first_name": "Olga"}
