"""A labelled multilingual set for the suggested tags: short views in the six languages,
each with the codes a moderator gave it. Built by the tests (no file, no download)."""
from __future__ import annotations

# topic -> (codes, {language: [two ways of saying it]})
TOPICS: dict[str, tuple[list[str], dict[str, list[str]]]] = {
    "ai_privacy": (["P1", "T01", "TH02"], {
        "en": ["Artificial intelligence systems collect our personal data without consent; "
               "the UN should defend privacy.",
               "Facial recognition and machine learning tools are used for surveillance, which "
               "threatens the privacy of every citizen."],
        "fr": ["L'intelligence artificielle collecte nos données personnelles sans "
               "consentement ; l'ONU doit défendre la vie privée.",
               "La reconnaissance faciale sert à la surveillance et menace la vie privée des "
               "citoyens."],
        "es": ["La inteligencia artificial recoge nuestros datos personales sin "
               "consentimiento; la ONU debe defender la privacidad.",
               "El reconocimiento facial se usa para la vigilancia y amenaza la privacidad de "
               "los ciudadanos."],
        "ru": ["Системы искусственного интеллекта собирают наши персональные данные без "
               "согласия; ООН должна защищать конфиденциальность.",
               "Распознавание лиц используется для слежки и угрожает частной жизни граждан."],
        "ar": ["تجمع أنظمة الذكاء الاصطناعي بياناتنا الشخصية دون موافقة، وعلى الأمم المتحدة "
               "أن تدافع عن الخصوصية.",
               "تستخدم تقنيات التعرف على الوجه في المراقبة مما يهدد خصوصية المواطنين."],
        "zh": ["人工智能系统在未经同意的情况下收集我们的个人数据，联合国应当捍卫隐私。",
               "人脸识别被用于监控，威胁到每个公民的隐私。"],
    }),
    "rural_connectivity": (["P2", "C4", "T15", "TH12"], {
        "en": ["In rural areas there is no broadband internet; the digital divide leaves "
               "villages behind.",
               "Mobile phone coverage is too expensive for remote areas, so many people stay "
               "offline."],
        "fr": ["Dans les zones rurales il n'y a pas d'internet haut débit ; la fracture "
               "numérique laisse les villages de côté.",
               "La couverture réseau des téléphones mobiles est trop chère dans les zones "
               "reculées."],
        "es": ["En las zonas rurales no hay internet de banda ancha; la brecha digital deja "
               "atrás a las aldeas.",
               "La cobertura de red del teléfono móvil es demasiado cara en las zonas remotas."],
        "ru": ["В сельских районах нет широкополосного интернета; цифровой разрыв оставляет "
               "деревни позади.",
               "Мобильная связь слишком дорога в отдаленных районах, и люди остаются без "
               "подключения."],
        "ar": ["لا يوجد إنترنت عريض النطاق في المناطق الريفية، والفجوة الرقمية تترك القرى "
               "خلفها.",
               "تغطية الشبكة للهواتف المحمولة باهظة الثمن في المناطق النائية."],
        "zh": ["农村地区没有宽带互联网，数字鸿沟让村庄落在后面。",
               "偏远地区的手机网络覆盖太贵，很多人无法上网。"],
    }),
    "drones_humanitarian": (["P3", "T06", "TH14"], {
        "en": ["Drones deliver medicine to refugee camps after a disaster; humanitarian "
               "agencies should share them.",
               "Unmanned aerial vehicles help emergency relief teams map flooded areas."],
        "fr": ["Les drones livrent des médicaments aux camps de réfugiés après une "
               "catastrophe ; les agences humanitaires devraient les partager.",
               "Les drones aident les équipes de secours d'urgence à cartographier les "
               "inondations."],
        "es": ["Los drones llevan medicinas a los campos de refugiados tras un desastre; las "
               "agencias humanitarias deberían compartirlos.",
               "Los drones ayudan a los equipos de socorro en emergencias a mapear las "
               "inundaciones."],
        "ru": ["Дроны доставляют лекарства в лагеря беженцев после бедствия; гуманитарные "
               "агентства должны делиться ими.",
               "Беспилотники помогают спасателям в чрезвычайных ситуациях составлять карты "
               "наводнений."],
        "ar": ["تنقل الطائرات المسيرة الأدوية إلى مخيمات اللاجئين بعد الكوارث، وعلى الوكالات "
               "الإنسانية أن تتقاسمها.",
               "تساعد الطائرات بدون طيار فرق الإغاثة في حالات الطوارئ على رسم خرائط الفيضانات."],
        "zh": ["灾害发生后，无人机为难民营运送药品，人道主义机构应当共享这些设备。",
               "无人机帮助紧急救援队绘制洪水地区的地图。"],
    }),
    "jobs_robots": (["C2", "T04", "TH09"], {
        "en": ["Robots in factories are replacing workers; we need a public debate on the "
               "future of work.",
               "Automation will destroy jobs unless governments raise awareness and retrain "
               "workers."],
        "fr": ["Les robots dans les usines remplacent les travailleurs ; il faut un débat "
               "public sur l'avenir du travail.",
               "L'automatisation va détruire des emplois si l'on ne sensibilise pas les "
               "travailleurs."],
        "es": ["Los robots en las fábricas reemplazan a los trabajadores; necesitamos un "
               "debate público sobre el futuro del trabajo.",
               "La automatización destruirá empleos si no hay sensibilización de los "
               "trabajadores."],
        "ru": ["Роботы на заводах заменяют работников; нужна общественная дискуссия о "
               "будущем труда.",
               "Автоматизация уничтожит рабочие места, если не повышать осведомленность "
               "работников."],
        "ar": ["تحل الروبوتات في المصانع محل العمال، ونحتاج إلى نقاش عام حول مستقبل العمل.",
               "ستقضي الأتمتة على الوظائف ما لم نعمل على رفع الوعي لدى العمال."],
        "zh": ["工厂里的机器人正在取代工人，我们需要就工作的未来展开公开辩论。",
               "如果不提高认识，自动化将摧毁大量就业岗位。"],
    }),
    "fintech_women": (["P2", "T16", "TH08"], {
        "en": ["Mobile money gave women entrepreneurs in my town access to credit for the "
               "first time.",
               "Digital payments and mobile banking help women run their own businesses."],
        "fr": ["L'argent mobile a permis aux femmes entrepreneures de ma ville d'accéder au "
               "crédit.",
               "Les paiements numériques et la banque mobile aident les femmes à gérer leur "
               "entreprise."],
        "es": ["El dinero móvil dio a las mujeres emprendedoras de mi pueblo acceso al "
               "crédito.",
               "Los pagos digitales y la banca móvil ayudan a las mujeres a dirigir sus "
               "negocios."],
        "ru": ["Мобильные деньги впервые дали женщинам-предпринимательницам доступ к "
               "кредиту.",
               "Цифровые платежи и мобильный банкинг помогают женщинам вести свое дело."],
        "ar": ["أتاحت الأموال عبر الهاتف المحمول لرائدات الأعمال في مدينتي الحصول على "
               "القروض.",
               "تساعد المدفوعات الرقمية النساء على إدارة مشاريعهن الخاصة."],
        "zh": ["移动支付让我们镇上的女企业家第一次获得了贷款。",
               "数字支付和手机银行帮助妇女经营自己的生意。"],
    }),
    "autonomous_weapons": (["P1", "C3", "T09", "TH10"], {
        "en": ["Lethal autonomous weapons must be banned by a treaty; peace depends on "
               "meaningful human control.",
               "Killer robots in armed conflict are a threat to international security."],
        "fr": ["Les armes autonomes doivent être interdites par un traité ; la paix dépend "
               "d'un contrôle humain significatif.",
               "Les robots tueurs dans les conflits armés menacent la sécurité "
               "internationale."],
        "es": ["Las armas autónomas deben prohibirse mediante un tratado; la paz depende del "
               "control humano significativo.",
               "Los robots asesinos en los conflictos armados amenazan la seguridad "
               "internacional."],
        "ru": ["Смертоносное автономное оружие нужно запретить договором; мир и безопасность "
               "зависят от человеческого контроля.",
               "Роботы-убийцы в вооруженных конфликтах угрожают международной безопасности."],
        "ar": ["يجب حظر الأسلحة الفتاكة ذاتية التشغيل بمعاهدة، فالسلام يتوقف على سيطرة بشرية "
               "حقيقية.",
               "تهدد الروبوتات القاتلة في النزاعات المسلحة الأمن الدولي."],
        "zh": ["致命性自主武器必须通过条约加以禁止，和平取决于有意义的人类控制。",
               "武装冲突中的杀手机器人威胁国际安全。"],
    }),
    "youth_education": (["C1", "TH07", "TH17"], {
        "en": ["Young people need digital skills at school; teachers should learn to use "
               "these tools.",
               "Students in my university lack digital literacy courses for the next "
               "generation."],
        "fr": ["Les jeunes ont besoin de compétences numériques à l'école ; les enseignants "
               "doivent être formés.",
               "Les étudiants de mon université manquent de cours de littératie numérique."],
        "es": ["Los jóvenes necesitan habilidades digitales en la escuela; los docentes deben "
               "formarse.",
               "Los estudiantes de mi universidad no tienen cursos de alfabetización digital."],
        "ru": ["Молодежи нужны цифровые навыки в школе; учителя должны учиться новым "
               "инструментам.",
               "Студентам моего университета не хватает курсов цифровой грамотности."],
        "ar": ["يحتاج الشباب إلى المهارات الرقمية في المدارس، ويجب تدريب المعلمين.",
               "يفتقر الطلاب في جامعتي إلى دروس محو الأمية الرقمية."],
        "zh": ["年轻人需要在学校学习数字技能，教师也应接受培训。",
               "我们大学的学生缺少数字素养课程。"],
    }),
    "cyber_norms": (["C3", "P3", "T07", "TH15"], {
        "en": ["Cyberattacks on hospitals show we need international norms and cooperation "
               "on cybersecurity.",
               "Ransomware and hacking cross borders; states must agree on a legal framework."],
        "fr": ["Les cyberattaques contre les hôpitaux montrent qu'il faut des normes "
               "internationales de cybersécurité.",
               "Les rançongiciels et le piratage franchissent les frontières ; il faut un "
               "cadre juridique."],
        "es": ["Los ciberataques contra hospitales muestran que necesitamos normas "
               "internacionales de ciberseguridad.",
               "El ransomware y el hackeo cruzan fronteras; los Estados necesitan un marco "
               "jurídico."],
        "ru": ["Кибератаки на больницы показывают, что нужны международные нормы "
               "кибербезопасности.",
               "Вредоносные программы и взломы не знают границ; государствам нужна правовая "
               "база."],
        "ar": ["تظهر الهجمات السيبرانية على المستشفيات أننا بحاجة إلى معايير دولية للأمن "
               "السيبراني.",
               "القرصنة وبرامج الفدية تعبر الحدود، ويجب على الدول الاتفاق على إطار قانوني."],
        "zh": ["针对医院的网络攻击表明，我们需要网络安全方面的国际规范。",
               "勒索软件和黑客攻击跨越国界，各国需要商定法律框架。"],
    }),
}
LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")


def labelled_set() -> list[tuple[str, str, list[str]]]:
    """(language, text, codes) for every topic, language and wording: 96 texts."""
    items = []
    for codes, per_language in TOPICS.values():
        for lang in LANGUAGES:
            for text in per_language[lang]:
                items.append((lang, text, list(codes)))
    return items
