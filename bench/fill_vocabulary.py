"""What the generated cases are made of: regions' weights, communities, categories, subjects, names of places and
organisations, reasons and endings (bench/fill_cases.py). Data only."""

from mediation.domain.case_fields import CaseCategory, Channel

# Population (thousands, 2024) per region, KATO2 code: cases are spread in proportion.
POPULATION = {"71": 1400, "75": 2230, "79": 1230, "10": 600, "11": 780, "15": 930, "19": 1520, "23": 700,
              "27": 690, "31": 1220, "33": 700, "35": 1130, "39": 830, "43": 830, "47": 780, "55": 750,
              "59": 530, "61": 2130, "62": 220, "63": 720}
# Communities of the parties: the national mix, shifted per region (Uzbeks in the south, Uyghurs and
# Dungans around Almaty and Zhambyl, Russians, Germans and Ukrainians in the north and east).
COMMUNITY_WEIGHTS = {"kazakh": 62, "russian": 16, "uzbek": 4, "uyghur": 2, "korean": 1.5, "german": 1.5,
                     "tatar": 1.5, "ukrainian": 1.5, "azerbaijani": 1, "dungan": 0.5, "turkish": 0.5}
REGION_SHIFT = {
    "61": {"uzbek": 6}, "79": {"uzbek": 5}, "75": {"uyghur": 3, "korean": 3, "dungan": 2, "russian": 1.5},
    "19": {"uyghur": 5, "dungan": 4, "korean": 2}, "33": {"uyghur": 2}, "31": {"dungan": 6},
    "11": {"russian": 2.5, "german": 3, "ukrainian": 3}, "39": {"russian": 2.5, "german": 3, "ukrainian": 4},
    "55": {"russian": 2.5, "german": 2, "ukrainian": 3, "tatar": 2}, "59": {"russian": 3, "german": 3, "ukrainian": 2},
    "63": {"russian": 2.5, "german": 2, "tatar": 2}, "35": {"russian": 2.5, "german": 2, "ukrainian": 2, "korean": 2},
    "10": {"russian": 1.5, "tatar": 2}, "71": {"russian": 1.2}, "15": {"russian": 1.2, "tatar": 2},
}
ETHNICITY = {"kazakh": "қазақ", "russian": "русский", "uzbek": "узбек", "uyghur": "уйгур", "korean": "кореец",
             "german": "немец", "tatar": "татарин", "ukrainian": "украинец", "azerbaijani": "азербайджанец",
             "dungan": "дунганин", "turkish": "турок"}

CATEGORY_WEIGHTS = {CaseCategory.FAMILY: 22, CaseCategory.NEIGHBOURS_LAND: 18, CaseCategory.INTERETHNIC: 10,
                    CaseCategory.LABOUR: 12, CaseCategory.PROPERTY: 10, CaseCategory.EDUCATION: 8,
                    CaseCategory.MINOR_CRIMINAL: 6, CaseCategory.ADMINISTRATIVE: 6, CaseCategory.RELIGIOUS: 3,
                    CaseCategory.OTHER: 5}
CHANNEL_WEIGHTS = {Channel.WALK_IN: 38, Channel.PHONE: 14, Channel.AKIMAT: 12, Channel.POLICE: 10, Channel.COURT: 6,
                   Channel.SCHOOL: 6, Channel.PUBLIC_ACCORD_COUNCIL: 6, Channel.MONITORING: 4, Channel.OTHER: 4}
SUBJECTS = {
    CaseCategory.FAMILY: ["Отбасылық келіспеушілік: баланың тұрғылықты жері", "Спор о порядке общения с ребёнком",
                          "Алимент төлеу тәртібі туралы дау", "Конфликт между родственниками супругов"],
    CaseCategory.NEIGHBOURS_LAND: ["Спор соседей о границе земельного участка", "Көршілер арасындағы су бөлу дауы",
                                   "Спор о выпасе скота на общих землях", "Шум и затопление квартиры соседями"],
    CaseCategory.INTERETHNIC: ["Конфликт между молодёжью двух общин после свадьбы",
                               "Ауылдағы екі қауым арасындағы жанжал", "Напряжённость после драки на рынке",
                               "Спор общин об использовании пастбища"],
    CaseCategory.LABOUR: ["Жалақы бойынша еңбек дауы", "Задержка заработной платы сезонным рабочим",
                          "Спор об увольнении", "Еңбек шартын бұзу туралы дау"],
    CaseCategory.PROPERTY: ["Спор о разделе имущества", "Мұраны бөлу туралы дау", "Спор о возврате долга",
                            "Автокөлікті сату-сатып алу дауы"],
    CaseCategory.EDUCATION: ["Мектептегі оқушылар арасындағы жанжал", "Конфликт родителей с администрацией школы",
                             "Травля ученика в классе", "Сынып жетекшісі мен ата-ана арасындағы келіспеушілік"],
    CaseCategory.MINOR_CRIMINAL: ["Примирение по делу о мелком хулиганстве", "Ұсақ ұрлық бойынша татуласу",
                                  "Примирение после дорожно-транспортного происшествия"],
    CaseCategory.ADMINISTRATIVE: ["Шум и парковка во дворе многоквартирного дома", "Спор с КСК о тарифах",
                                  "Аула абаттандыру бойынша дау"],
    CaseCategory.RELIGIOUS: ["Разногласия по поводу места молитвы", "Діни рәсімге байланысты отбасылық дау",
                             "Спор о месте захоронения"],
    CaseCategory.OTHER: ["Өзге дау", "Иное обращение", "Спор в социальных сетях, переросший в угрозы"],
}
DESCRIPTIONS = [
    "Өтініш беруші тараптар арасындағы қарым-қатынас соңғы айларда шиеленіскенін хабарлады. ",
    "Со слов заявителя, конфликт длится несколько месяцев, стороны ранее обращались в акимат. ",
    "Тараптар медиация арқылы келісімге келуге дайын екенін айтты. ",
    "Участковый инспектор рекомендовал обратиться в Дом дружбы для примирения. ",
    "Жанжалға екі отбасының туыстары да араласқан. ",
    "Одна из сторон плохо владеет русским языком, нужен переводчик. ",
    "Бұрын осындай оқиға болған, аудандық әкімдік хабардар. ",
    "Стороны согласны встретиться на нейтральной территории. ",
]
ORGANISATIONS = {
    CaseCategory.LABOUR: ["ТОО «Береке Агро»", "«Шығыс Құрылыс» ЖШС", "ТОО «КазСтройСервис»", "АО «Теміржол Жөндеу»",
                          "ИП «Асанов»", "ТОО «Нур-Логистик»"],
    CaseCategory.EDUCATION: ["КГУ «Общеобразовательная школа № 17»", "№ 45 жалпы білім беретін мектеп КММ",
                             "КГУ «Школа-гимназия № 3»", "«Балапан» бөбекжайы МКҚК"],
    CaseCategory.ADMINISTRATIVE: ["КСК «Самал»", "ПК «Тұрғын үй»", "ОСИ «Жетісу-5»",
                                  "ТОО «Управляющая компания Достык»"],
    CaseCategory.PROPERTY: ["ТОО «Жилстрой»", "«Алтын Үй» ЖШС"],
}
STREETS = ["Абай", "Достық", "Сәтбаев", "Ленина", "Мира", "Тәуелсіздік", "Наурызбай батыр", "Гагарина", "Жамбыл",
           "Пушкина", "Әл-Фараби", "Толе би", "Байтұрсынұлы", "Школьная", "Қабанбай батыр"]
REFERRED = ["Сот / суд", "Полиция", "Әкімдік / акимат", "Прокуратура", "Қамқоршылық органы / органы опеки"]
NOT_ELIGIBLE_NOTES = ["Дау үшінші тұлғалардың мүддесін қозғайды", "Одна из сторон признана недееспособной",
                      "Стороной является государственный орган", "Коррупционное правонарушение"]
DECLINE_REASONS = ["Мүдделер қақтығысы / конфликт интересов", "Болезнь медиатора", "Тараптар қарсылық білдірді"]
EXTENSION_REASONS = ["Тараптардың келісімімен: қосымша кездесу қажет",
                     "Нужна дополнительная встреча с участием переводчика"]
OPERATORS = ["700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778"]
MAIL = ["mail.kz", "mail.ru", "gmail.com", "inbox.kz", "yandex.kz"]
ENDINGS = {"agreement": 50, "partial": 12, "impossible": 15, "refusal": 10, "joint": 3, "expired": 10}

# The share of each category's respondents that are organisations (2% where not named).
ORG_TENDENCY = {CaseCategory.LABOUR: 0.6, CaseCategory.EDUCATION: 0.35, CaseCategory.ADMINISTRATIVE: 0.5,
                CaseCategory.PROPERTY: 0.12, CaseCategory.NEIGHBOURS_LAND: 0.03, CaseCategory.OTHER: 0.05}

# How a mediation ended (ENDINGS): the case's outcome and the termination ground.
ENDING_RESULTS = {
    "agreement": ("full_agreement", "agreement_signed"),
    "partial": ("partial_agreement", "agreement_signed"),
    "impossible": ("no_agreement", "settlement_impossible"),
    "refusal": ("withdrawn", "unilateral_refusal"),
    "joint": ("withdrawn", "joint_refusal"),
    "expired": ("no_agreement", "term_expired"),
}
