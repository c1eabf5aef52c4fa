#include "public_site/strings.hpp"

namespace lifeline::public_site {
namespace {

Strings MakeRussian() {
    Strings s;
    s.lang_name = "Русский";
    s.site_name = "Линия жизни";
    s.tagline = "Конфиденциальная линия для военнослужащих, которые хотят сдаться в плен, и для их родных";
    s.nav_home = "Как это работает";
    s.nav_apply = "Подать заявку";
    s.nav_inquiry = "Найти родственника";
    s.nav_followup = "Ответ по коду";
    s.nav_channels = "Официальные каналы";
    s.lang_switch = "Язык:";
    s.footer_verify = "Мошенники делают копии этого сайта. Сверяйте адрес со списком официальных каналов.";
    s.footer_tech = "Сайт работает без JavaScript и открывается в Tor Browser в самом строгом режиме.";

    s.home_title = "Как сдаться в плен и сохранить жизнь";
    s.home_lead =
        "Если вы военнослужащий, мобилизованный или ждёте отправки на фронт и не хотите воевать, свяжитесь с "
        "нами. Операторы отвечают круглосуточно. Мы поможем безопасно сдаться в плен, а если вы ещё не на "
        "фронте, подскажем, что делать, когда туда попадёте.";
    s.home_guarantees_title = "Что мы гарантируем";
    s.home_guarantees = {
        "Конфиденциальность. Заявка шифруется сразу при получении, прочитать её могут только операторы линии. "
        "Мы никому не передаём ваши данные.",
        "Жизнь и безопасность. Сдача в плен проходит по Женевским конвенциям: военнопленному положены "
        "безопасность, питание, медицинская помощь и переписка с родными.",
        "Никто не узнает, что вы сдались добровольно. В документах будет записано: «взят в плен на поле боя».",
        "Выбор после плена: обмен, невозвращение или просьба об убежище в другой стране — решаете вы.",
    };
    s.home_steps_title = "Что делать";
    s.home_steps = {
        "Заполните заявку на этом сайте или напишите либо позвоните по одному из официальных каналов. Можно "
        "оставить только способ связи — остальное оператор спросит сам.",
        "После отправки вы получите код из 25 цифр. Запишите его: только по этому коду можно вернуться к "
        "переписке.",
        "Оператор прочтёт заявку и ответит. Ответ смотрите на странице «Ответ по коду» или ждите сообщения по "
        "указанному вами способу связи.",
        "Если вы ещё не на фронте, дождитесь отправки и снова выйдите на связь уже оттуда. Вместе с оператором "
        "вы договоритесь о месте, времени и порядке сдачи.",
    };
    s.home_safety_title = "Как не подвергать себя риску";
    s.home_safety = {
        "Пишите с устройства, которое никто не проверяет. После отправки очистите историю браузера и удалите "
        "переписку.",
        "Если сайт заблокирован, откройте его через Tor Browser или VPN.",
        "Никому не сообщайте свой код. Кто знает код, тот видит переписку.",
        "Официальные каналы никогда не просят денег. Сверяйте адреса по нескольким источникам.",
    };
    s.home_relatives_title = "Для родственников";
    s.home_relatives =
        "Если ваш близкий не может связаться с нами сам, вы можете подать заявку за него. Если вы ищете "
        "родственника, который мог попасть в плен, отправьте запрос о поиске — мы проверим, есть ли о нём "
        "сведения.";
    s.home_cta_apply = "Подать заявку";
    s.home_cta_inquiry = "Запрос о поиске родственника";
    s.home_cta_followup = "Проверить ответ по коду";
    s.home_cta_channels = "Список официальных каналов";

    s.channels_title = "Официальные каналы";
    s.channels_lead =
        "Спецслужбы и мошенники создают поддельные копии линии: сайты, боты, номера телефонов. Настоящие "
        "каналы — только эти:";
    s.channels_verify =
        "Проверяйте адрес минимум по двум источникам из этого списка: копия может подменить один канал, но не "
        "все сразу. Мы никогда не просим денег или паролей.";
    s.channels_empty = "Список каналов скоро появится. Пока пользуйтесь только адресом, которому доверяете.";

    s.optional_note =
        "Все поля необязательны: отвечайте только на то, на что готовы. Но укажите, как с вами связаться, или "
        "напишите хоть что-то в последнем поле — иначе мы не сможем ответить.";
    s.privacy_note = "Заявка шифруется сразу при получении. Мы не сохраняем ваш IP-адрес вместе с заявкой.";
    s.choose = "— выберите —";
    s.submit_application = "Отправить заявку";
    s.submit_inquiry = "Отправить запрос";
    s.photos_label = "Фотографии";
    s.photos_hint =
        "До {n} фото в формате JPEG или PNG, каждое до {mb} МБ. Перед сохранением мы удаляем из файлов скрытые "
        "данные: место съёмки, модель телефона, дату.";

    s.apply_title = "Заявка на сдачу в плен";
    s.apply_lead = "Расскажите о себе столько, сколько готовы. Оператор свяжется с вами и ответит на вопросы.";
    s.section_service = "Служба";
    s.section_exit = "Сдача в плен";
    s.section_contact = "Связь";

    s.inquiry_title = "Запрос о поиске родственника";
    s.inquiry_lead =
        "Если ваш близкий пропал без вести или мог попасть в плен, заполните запрос. Мы проверим, есть ли о нём "
        "сведения, и ответим вам. Ответ может занять время.";
    s.section_seeker = "О вас";
    s.section_sought = "Кого вы ищете";

    s.receipt_title = "Отправлено";
    s.receipt_code_label = "Ваш код:";
    s.receipt_warning =
        "Запишите этот код и храните его в надёжном месте: только по нему можно вернуться к вашей переписке. "
        "Мы не можем восстановить код: мы его не храним. Больше он показан не будет.";
    s.receipt_next_title = "Что будет дальше";
    s.receipt_next_application = {
        "Оператор прочтёт заявку и ответит как можно скорее.",
        "Ответ появится на странице «Ответ по коду». Если вы указали способ связи, оператор может написать вам "
        "сам.",
        "Если вы ещё не на фронте, снова выйдите на связь, когда туда попадёте, — с этим же кодом.",
        "Очистите историю браузера, если устройством пользуется кто-то ещё.",
    };
    s.receipt_next_inquiry = {
        "Мы проверим, есть ли сведения о человеке, которого вы ищете. Это может занять время.",
        "Ответ появится на странице «Ответ по коду». Если вы указали способ связи, мы можем написать вам сами.",
        "Если узнаете что-то новое, добавьте сообщение к запросу по этому же коду.",
    };
    s.receipt_followup_link = "Перейти к странице «Ответ по коду»";

    s.followup_title = "Ответ по коду";
    s.followup_lead =
        "Введите код, который вы получили после отправки заявки или запроса, чтобы увидеть ответы и написать "
        "оператору.";
    s.receipt_label = "Ваш код";
    s.receipt_hint = "25 цифр, например 12345-67890-12345-67890-12345";
    s.followup_open = "Открыть переписку";
    s.followup_not_found = "Мы не нашли переписку по этому коду. Проверьте цифры.";
    s.conversation_title = "Ваша переписка";
    s.entry_form = "Ваша заявка";
    s.entry_inbound = "Ваше сообщение";
    s.entry_reply = "Ответ оператора";
    s.conversation_waiting = "Ответа пока нет. Загляните позже.";
    s.inquiry_answer_title = "Ответ на ваш запрос";
    s.message_title = "Написать оператору";
    s.message_label = "Сообщение";
    s.message_send = "Отправить";
    s.message_sent = "Сообщение отправлено.";
    s.message_empty = "Напишите сообщение или прикрепите фото.";
    s.followup_close_hint = "Когда закончите, закройте вкладку и очистите историю браузера.";

    s.errors_summary = "Проверьте отмеченные поля. Ничего не сохранено.";
    s.error_too_long = "Слишком длинный текст — сократите его.";
    s.error_date = "Укажите дату в виде ГГГГ-ММ-ДД, например 2025-03-01.";
    s.error_group_size = "Укажите число от 1 до 500.";
    s.error_choice = "Выберите один из вариантов списка.";
    s.error_text = "Текст содержит недопустимые символы.";
    s.error_need_contact = "Укажите, как с вами связаться, или напишите что-нибудь в последнем поле.";
    s.error_csrf = "Форма устарела, пожалуйста, отправьте её ещё раз.";
    s.values_kept = "Всё, что вы ввели, сохранено ниже.";
    s.error_rate_limited = "Слишком много попыток. Попробуйте снова через {n} {minutes}.";
    s.minutes_one = "минуту";
    s.minutes_few = "минуты";
    s.minutes_many = "минут";
    s.error_too_many_files = "Можно прикрепить не больше {n} фото.";
    s.error_file_too_large = "Файл слишком большой: не больше {mb} МБ.";
    s.error_not_image = "Этот файл не фотография JPEG или PNG. Прикрепите фото в одном из этих форматов.";
    s.error_bad_image = "Файл повреждён и не читается как изображение. Попробуйте другое фото.";
    s.error_image_too_large = "Изображение слишком большое по размеру в пикселях. Сделайте снимок или скриншот поменьше.";
    s.error_bad_form = "Форма пришла повреждённой. Обновите страницу и попробуйте ещё раз.";
    s.photos_again = "Фотографии нужно прикрепить заново.";
    s.error_server =
        "Что-то пошло не так, ничего не сохранено. Попробуйте ещё раз через несколько минут или воспользуйтесь "
        "другим официальным каналом.";
    s.not_found_title = "Страница не найдена";
    s.not_found_text = "Такой страницы нет. Начните с главной.";

    s.fields = {
        {"status", {"Ваше положение", ""}},
        {"deployment_date", {"Ожидаемая дата отправки", "ГГГГ-ММ-ДД, если известна"}},
        {"unit", {"Воинская часть, подразделение", "Номер части или название подразделения"}},
        {"rank", {"Звание", ""}},
        {"service_number", {"Личный номер", "Помогает нам проверить заявку"}},
        {"area", {"Где вы сейчас", "Населённый пункт, направление или район"}},
        {"group", {"Один или с товарищами", ""}},
        {"group_size", {"Сколько человек всего", "Число от 1 до 500, включая вас"}},
        {"contact_window", {"Когда с вами удобно и безопасно связаться", "Например: по вечерам после 20:00"}},
        {"after_capture", {"Чего вы хотите после плена", ""}},
        {"heard_from", {"Откуда вы узнали о линии", ""}},
        {"contact", {"Как с вами связаться", "Телефон, Telegram или e-mail"}},
        {"name", {"Как к вам обращаться", "Можно не настоящее имя"}},
        {"free_text", {"Всё, что хотите сказать", "Вопросы, обстоятельства — что угодно"}},
        {"seeker_name", {"Ваше имя", ""}},
        {"seeker_contact", {"Как с вами связаться", "Телефон, Telegram или e-mail"}},
        {"relation", {"Кем вы ему приходитесь", "Например: жена, мать, брат"}},
        {"sought_name", {"Фамилия, имя, отчество", ""}},
        {"sought_birth_date", {"Дата рождения", "ГГГГ-ММ-ДД"}},
        {"sought_unit", {"Воинская часть, подразделение", ""}},
        {"marks", {"Особые приметы", "Татуировки, шрамы, родинки, особенности внешности"}},
        {"inquiry.free_text", {"Что ещё известно", "Когда и где была последняя связь, что он рассказывал"}},
        {"message", {"Сообщение", ""}},
    };
    s.options = {
        {"status.mobilised", "Мобилизован"},
        {"status.serving", "Служу по контракту или по призыву"},
        {"status.expecting_deployment", "Жду отправки на фронт"},
        {"group.alone", "Один"},
        {"group.group", "В группе"},
        {"after_capture.exchange", "Вернуться домой по обмену"},
        {"after_capture.stay", "Не участвовать в обмене, остаться"},
        {"after_capture.asylum", "Просить убежища в другой стране"},
        {"answer.no_data", "Сведений об этом человеке у нас пока нет."},
        {"answer.data_without_captivity_info", "Сведения об этом человеке есть, но о плене — нет."},
        {"answer.probably_captive", "Этот человек, вероятно, в плену."},
        {"answer.captivity_confirmed", "Плен подтверждён."},
        {"answer.released_in_exchange", "Этот человек освобождён в ходе обмена."},
    };
    return s;
}

Strings MakeUkrainian() {
    Strings s;
    s.lang_name = "Українська";
    s.site_name = "Лінія життя";
    s.tagline = "Конфіденційна лінія для військовослужбовців, які хочуть здатися в полон, та для їхніх рідних";
    s.nav_home = "Як це працює";
    s.nav_apply = "Подати заявку";
    s.nav_inquiry = "Знайти родича";
    s.nav_followup = "Відповідь за кодом";
    s.nav_channels = "Офіційні канали";
    s.lang_switch = "Мова:";
    s.footer_verify = "Шахраї створюють копії цього сайту. Звіряйте адресу зі списком офіційних каналів.";
    s.footer_tech = "Сайт працює без JavaScript і відкривається в Tor Browser у найсуворішому режимі.";

    s.home_title = "Як здатися в полон і зберегти життя";
    s.home_lead =
        "Якщо ви військовослужбовець, мобілізований або чекаєте відправлення на фронт і не хочете воювати, "
        "зв’яжіться з нами. Оператори відповідають цілодобово. Ми допоможемо безпечно здатися в полон, а якщо ви "
        "ще не на фронті, підкажемо, що робити, коли туди потрапите.";
    s.home_guarantees_title = "Що ми гарантуємо";
    s.home_guarantees = {
        "Конфіденційність. Заявка шифрується одразу після отримання, прочитати її можуть лише оператори лінії. "
        "Ми нікому не передаємо ваші дані.",
        "Життя і безпека. Здача в полон відбувається за Женевськими конвенціями: військовополоненому належать "
        "безпека, харчування, медична допомога та листування з рідними.",
        "Ніхто не дізнається, що ви здалися добровільно. У документах буде записано: «взятий у полон на полі "
        "бою».",
        "Вибір після полону: обмін, неповернення або прохання про притулок в іншій країні — вирішуєте ви.",
    };
    s.home_steps_title = "Що робити";
    s.home_steps = {
        "Заповніть заявку на цьому сайті або напишіть чи зателефонуйте через один з офіційних каналів. Можна "
        "залишити лише спосіб зв’язку — решту оператор запитає сам.",
        "Після відправлення ви отримаєте код із 25 цифр. Запишіть його: лише за цим кодом можна повернутися до "
        "листування.",
        "Оператор прочитає заявку й відповість. Відповідь дивіться на сторінці «Відповідь за кодом» або чекайте "
        "повідомлення через вказаний вами спосіб зв’язку.",
        "Якщо ви ще не на фронті, дочекайтеся відправлення й знову вийдіть на зв’язок уже звідти. Разом з "
        "оператором ви домовитеся про місце, час і порядок здачі.",
    };
    s.home_safety_title = "Як не наражати себе на небезпеку";
    s.home_safety = {
        "Пишіть із пристрою, який ніхто не перевіряє. Після відправлення очистіть історію браузера й видаліть "
        "листування.",
        "Якщо сайт заблоковано, відкрийте його через Tor Browser або VPN.",
        "Нікому не повідомляйте свій код. Хто знає код, той бачить листування.",
        "Офіційні канали ніколи не просять грошей. Звіряйте адреси за кількома джерелами.",
    };
    s.home_relatives_title = "Для рідних";
    s.home_relatives =
        "Якщо ваш близький не може зв’язатися з нами сам, ви можете подати заявку замість нього. Якщо ви шукаєте "
        "родича, який міг потрапити в полон, надішліть запит про пошук — ми перевіримо, чи є про нього "
        "відомості.";
    s.home_cta_apply = "Подати заявку";
    s.home_cta_inquiry = "Запит про пошук родича";
    s.home_cta_followup = "Перевірити відповідь за кодом";
    s.home_cta_channels = "Список офіційних каналів";

    s.channels_title = "Офіційні канали";
    s.channels_lead =
        "Спецслужби та шахраї створюють підроблені копії лінії: сайти, боти, номери телефонів. Справжні "
        "канали — лише ці:";
    s.channels_verify =
        "Перевіряйте адресу щонайменше за двома джерелами з цього списку: копія може підмінити один канал, але "
        "не всі одразу. Ми ніколи не просимо грошей чи паролів.";
    s.channels_empty = "Список каналів незабаром з’явиться. Поки що користуйтеся лише адресою, якій довіряєте.";

    s.optional_note =
        "Усі поля необов’язкові: відповідайте лише на те, на що готові. Але вкажіть, як з вами зв’язатися, або "
        "напишіть хоч щось в останньому полі — інакше ми не зможемо відповісти.";
    s.privacy_note = "Заявка шифрується одразу після отримання. Ми не зберігаємо вашу IP-адресу разом із заявкою.";
    s.choose = "— оберіть —";
    s.submit_application = "Надіслати заявку";
    s.submit_inquiry = "Надіслати запит";
    s.photos_label = "Фотографії";
    s.photos_hint =
        "До {n} фото у форматі JPEG або PNG, кожне до {mb} МБ. Перед збереженням ми видаляємо з файлів "
        "приховані дані: місце зйомки, модель телефону, дату.";

    s.apply_title = "Заявка на здачу в полон";
    s.apply_lead = "Розкажіть про себе стільки, скільки готові. Оператор зв’яжеться з вами й відповість на запитання.";
    s.section_service = "Служба";
    s.section_exit = "Здача в полон";
    s.section_contact = "Зв’язок";

    s.inquiry_title = "Запит про пошук родича";
    s.inquiry_lead =
        "Якщо ваш близький зник безвісти або міг потрапити в полон, заповніть запит. Ми перевіримо, чи є про "
        "нього відомості, і відповімо вам. Відповідь може забрати час.";
    s.section_seeker = "Про вас";
    s.section_sought = "Кого ви шукаєте";

    s.receipt_title = "Надіслано";
    s.receipt_code_label = "Ваш код:";
    s.receipt_warning =
        "Запишіть цей код і зберігайте його в надійному місці: лише за ним можна повернутися до вашого "
        "листування. Ми не можемо відновити код: ми його не зберігаємо. Більше він показаний не буде.";
    s.receipt_next_title = "Що буде далі";
    s.receipt_next_application = {
        "Оператор прочитає заявку й відповість якомога швидше.",
        "Відповідь з’явиться на сторінці «Відповідь за кодом». Якщо ви вказали спосіб зв’язку, оператор може "
        "написати вам сам.",
        "Якщо ви ще не на фронті, знову вийдіть на зв’язок, коли туди потрапите, — з цим самим кодом.",
        "Очистіть історію браузера, якщо пристроєм користується ще хтось.",
    };
    s.receipt_next_inquiry = {
        "Ми перевіримо, чи є відомості про людину, яку ви шукаєте. Це може забрати час.",
        "Відповідь з’явиться на сторінці «Відповідь за кодом». Якщо ви вказали спосіб зв’язку, ми можемо "
        "написати вам самі.",
        "Якщо дізнаєтеся щось нове, додайте повідомлення до запиту за цим самим кодом.",
    };
    s.receipt_followup_link = "Перейти до сторінки «Відповідь за кодом»";

    s.followup_title = "Відповідь за кодом";
    s.followup_lead =
        "Введіть код, який ви отримали після відправлення заявки чи запиту, щоб побачити відповіді й написати "
        "оператору.";
    s.receipt_label = "Ваш код";
    s.receipt_hint = "25 цифр, наприклад 12345-67890-12345-67890-12345";
    s.followup_open = "Відкрити листування";
    s.followup_not_found = "Ми не знайшли листування за цим кодом. Перевірте цифри.";
    s.conversation_title = "Ваше листування";
    s.entry_form = "Ваша заявка";
    s.entry_inbound = "Ваше повідомлення";
    s.entry_reply = "Відповідь оператора";
    s.conversation_waiting = "Відповіді поки немає. Зазирніть пізніше.";
    s.inquiry_answer_title = "Відповідь на ваш запит";
    s.message_title = "Написати оператору";
    s.message_label = "Повідомлення";
    s.message_send = "Надіслати";
    s.message_sent = "Повідомлення надіслано.";
    s.message_empty = "Напишіть повідомлення або прикріпіть фото.";
    s.followup_close_hint = "Коли закінчите, закрийте вкладку й очистіть історію браузера.";

    s.errors_summary = "Перевірте позначені поля. Нічого не збережено.";
    s.error_too_long = "Задовгий текст — скоротіть його.";
    s.error_date = "Вкажіть дату у вигляді РРРР-ММ-ДД, наприклад 2025-03-01.";
    s.error_group_size = "Вкажіть число від 1 до 500.";
    s.error_choice = "Оберіть один із варіантів зі списку.";
    s.error_text = "Текст містить неприпустимі символи.";
    s.error_need_contact = "Вкажіть, як з вами зв’язатися, або напишіть щось в останньому полі.";
    s.error_csrf = "Форма застаріла, будь ласка, надішліть її ще раз.";
    s.values_kept = "Усе, що ви ввели, збережено нижче.";
    s.error_rate_limited = "Забагато спроб. Спробуйте знову через {n} {minutes}.";
    s.minutes_one = "хвилину";
    s.minutes_few = "хвилини";
    s.minutes_many = "хвилин";
    s.error_too_many_files = "Можна прикріпити не більше ніж {n} фото.";
    s.error_file_too_large = "Файл завеликий: не більше {mb} МБ.";
    s.error_not_image = "Цей файл не є фотографією JPEG чи PNG. Прикріпіть фото в одному з цих форматів.";
    s.error_bad_image = "Файл пошкоджений і не читається як зображення. Спробуйте інше фото.";
    s.error_image_too_large = "Зображення завелике за розміром у пікселях. Зробіть менший знімок або скриншот.";
    s.error_bad_form = "Форма надійшла пошкодженою. Оновіть сторінку й спробуйте ще раз.";
    s.photos_again = "Фотографії потрібно прикріпити заново.";
    s.error_server =
        "Щось пішло не так, нічого не збережено. Спробуйте ще раз за кілька хвилин або скористайтеся іншим "
        "офіційним каналом.";
    s.not_found_title = "Сторінку не знайдено";
    s.not_found_text = "Такої сторінки немає. Почніть з головної.";

    s.fields = {
        {"status", {"Ваше становище", ""}},
        {"deployment_date", {"Очікувана дата відправлення", "РРРР-ММ-ДД, якщо відома"}},
        {"unit", {"Військова частина, підрозділ", "Номер частини або назва підрозділу"}},
        {"rank", {"Звання", ""}},
        {"service_number", {"Особистий номер", "Допомагає нам перевірити заявку"}},
        {"area", {"Де ви зараз", "Населений пункт, напрямок або район"}},
        {"group", {"Сам чи з товаришами", ""}},
        {"group_size", {"Скільки людей усього", "Число від 1 до 500, включно з вами"}},
        {"contact_window", {"Коли з вами зручно й безпечно зв’язатися", "Наприклад: увечері після 20:00"}},
        {"after_capture", {"Чого ви хочете після полону", ""}},
        {"heard_from", {"Звідки ви дізналися про лінію", ""}},
        {"contact", {"Як з вами зв’язатися", "Телефон, Telegram або e-mail"}},
        {"name", {"Як до вас звертатися", "Можна не справжнє ім’я"}},
        {"free_text", {"Усе, що хочете сказати", "Запитання, обставини — будь-що"}},
        {"seeker_name", {"Ваше ім’я", ""}},
        {"seeker_contact", {"Як з вами зв’язатися", "Телефон, Telegram або e-mail"}},
        {"relation", {"Ким ви йому доводитеся", "Наприклад: дружина, мати, брат"}},
        {"sought_name", {"Прізвище, ім’я, по батькові", ""}},
        {"sought_birth_date", {"Дата народження", "РРРР-ММ-ДД"}},
        {"sought_unit", {"Військова частина, підрозділ", ""}},
        {"marks", {"Особливі прикмети", "Татуювання, шрами, родимки, особливості зовнішності"}},
        {"inquiry.free_text", {"Що ще відомо", "Коли й де був останній зв’язок, що він розповідав"}},
        {"message", {"Повідомлення", ""}},
    };
    s.options = {
        {"status.mobilised", "Мобілізований"},
        {"status.serving", "Служу за контрактом або за призовом"},
        {"status.expecting_deployment", "Чекаю відправлення на фронт"},
        {"group.alone", "Сам"},
        {"group.group", "У групі"},
        {"after_capture.exchange", "Повернутися додому за обміном"},
        {"after_capture.stay", "Не брати участі в обміні, залишитися"},
        {"after_capture.asylum", "Просити притулку в іншій країні"},
        {"answer.no_data", "Відомостей про цю людину в нас поки немає."},
        {"answer.data_without_captivity_info", "Відомості про цю людину є, але про полон — немає."},
        {"answer.probably_captive", "Ця людина, ймовірно, в полоні."},
        {"answer.captivity_confirmed", "Полон підтверджено."},
        {"answer.released_in_exchange", "Цю людину звільнено під час обміну."},
    };
    return s;
}

Strings MakeEnglish() {
    Strings s;
    s.lang_name = "English";
    s.site_name = "Lifeline";
    s.tagline = "A confidential line for soldiers who want to surrender, and for their families";
    s.nav_home = "How it works";
    s.nav_apply = "Apply";
    s.nav_inquiry = "Find a relative";
    s.nav_followup = "Answer by code";
    s.nav_channels = "Official channels";
    s.lang_switch = "Language:";
    s.footer_verify = "Fraudsters copy this site. Check its address against the list of official channels.";
    s.footer_tech = "This site works without JavaScript and opens in Tor Browser in its safest mode.";

    s.home_title = "How to surrender and stay alive";
    s.home_lead =
        "If you are a serviceman, mobilised or waiting to be sent to the front, and you do not want to fight, "
        "contact us. Operators answer around the clock. We will help you surrender safely, and if you are not at "
        "the front yet, we will tell you what to do once you get there.";
    s.home_guarantees_title = "What we guarantee";
    s.home_guarantees = {
        "Confidentiality. Your application is encrypted the moment it arrives; only the line's operators can "
        "read it. We pass your data to no one.",
        "Life and safety. The surrender follows the Geneva Conventions: a prisoner of war is entitled to safety, "
        "food, medical care and letters to and from his family.",
        "Nobody will learn that you surrendered voluntarily. Your record will say: \"captured on the "
        "battlefield\".",
        "Your choice after capture: an exchange, not going back, or asylum in another country. You decide.",
    };
    s.home_steps_title = "What to do";
    s.home_steps = {
        "Fill in the application on this site, or write to or call one of the official channels. A way to reach "
        "you is enough; the operator will ask the rest.",
        "After sending it you get a code of 25 digits. Write it down: it is the only way back to your "
        "conversation.",
        "An operator reads your application and answers. Look for the answer on the \"Answer by code\" page, or "
        "wait for a message through the contact you gave.",
        "If you are not at the front yet, wait until you are sent and get in touch again from there. Together "
        "with the operator you agree on the place, the time and how to surrender.",
    };
    s.home_safety_title = "How to stay safe";
    s.home_safety = {
        "Write from a device nobody checks. After sending, clear the browser history and delete the "
        "conversation.",
        "If the site is blocked, open it through Tor Browser or a VPN.",
        "Tell nobody your code. Whoever knows the code can see the conversation.",
        "The official channels never ask for money. Check addresses against several sources.",
    };
    s.home_relatives_title = "For relatives";
    s.home_relatives =
        "If someone close to you cannot contact us himself, you may apply on his behalf. If you are looking for a "
        "relative who may have been captured, send a search inquiry and we will check whether we have any "
        "information about him.";
    s.home_cta_apply = "Apply";
    s.home_cta_inquiry = "Search inquiry for a relative";
    s.home_cta_followup = "Check for an answer with your code";
    s.home_cta_channels = "List of official channels";

    s.channels_title = "Official channels";
    s.channels_lead =
        "Intelligence services and fraudsters create fake copies of the line: sites, bots, phone numbers. The "
        "real channels are only these:";
    s.channels_verify =
        "Check an address against at least two sources on this list: a copy can replace one channel, but not all "
        "of them at once. We never ask for money or passwords.";
    s.channels_empty = "The list of channels will be published soon. Until then use only an address you trust.";

    s.optional_note =
        "Every field is optional: answer only what you are ready to. But tell us how to reach you, or write "
        "something in the last field; otherwise we cannot answer.";
    s.privacy_note = "The application is encrypted the moment it arrives. We do not store your IP address with it.";
    s.choose = "— choose —";
    s.submit_application = "Send the application";
    s.submit_inquiry = "Send the inquiry";
    s.photos_label = "Photos";
    s.photos_hint =
        "Up to {n} photos, JPEG or PNG, each up to {mb} MB. Before storing them we remove hidden data from the "
        "files: where the photo was taken, the phone model, the date.";

    s.apply_title = "Application to surrender";
    s.apply_lead = "Tell us as much about yourself as you are ready to. An operator will contact you and answer "
                   "your questions.";
    s.section_service = "Service";
    s.section_exit = "Surrender";
    s.section_contact = "Contact";

    s.inquiry_title = "Search inquiry for a relative";
    s.inquiry_lead =
        "If someone close to you is missing or may have been captured, fill in this inquiry. We will check whether "
        "we have any information about him and answer you. The answer may take time.";
    s.section_seeker = "About you";
    s.section_sought = "Who you are looking for";

    s.receipt_title = "Sent";
    s.receipt_code_label = "Your code:";
    s.receipt_warning =
        "Write this code down and keep it somewhere safe: it is the only way back to your conversation. We cannot "
        "recover it: we do not store it. It will not be shown again.";
    s.receipt_next_title = "What happens next";
    s.receipt_next_application = {
        "An operator will read your application and answer as soon as possible.",
        "The answer will appear on the \"Answer by code\" page. If you gave a way to reach you, the operator may "
        "also write to you.",
        "If you are not at the front yet, get in touch again when you get there, with the same code.",
        "Clear the browser history if anyone else uses this device.",
    };
    s.receipt_next_inquiry = {
        "We will check whether we have information about the person you are looking for. This may take time.",
        "The answer will appear on the \"Answer by code\" page. If you gave a way to reach you, we may also write "
        "to you.",
        "If you learn something new, add a message to the inquiry with the same code.",
    };
    s.receipt_followup_link = "Go to the \"Answer by code\" page";

    s.followup_title = "Answer by code";
    s.followup_lead =
        "Enter the code you received after sending your application or inquiry to see the answers and to write "
        "to the operator.";
    s.receipt_label = "Your code";
    s.receipt_hint = "25 digits, for example 12345-67890-12345-67890-12345";
    s.followup_open = "Open the conversation";
    s.followup_not_found = "We could not find a conversation for this code. Check the digits.";
    s.conversation_title = "Your conversation";
    s.entry_form = "Your application";
    s.entry_inbound = "Your message";
    s.entry_reply = "Operator's answer";
    s.conversation_waiting = "No answer yet. Please check again later.";
    s.inquiry_answer_title = "Answer to your inquiry";
    s.message_title = "Write to the operator";
    s.message_label = "Message";
    s.message_send = "Send";
    s.message_sent = "Your message has been sent.";
    s.message_empty = "Write a message or attach a photo.";
    s.followup_close_hint = "When you are done, close the tab and clear the browser history.";

    s.errors_summary = "Please check the marked fields. Nothing has been saved.";
    s.error_too_long = "This text is too long; please shorten it.";
    s.error_date = "Enter the date as YYYY-MM-DD, for example 2025-03-01.";
    s.error_group_size = "Enter a number from 1 to 500.";
    s.error_choice = "Choose one of the options in the list.";
    s.error_text = "The text contains characters that are not allowed.";
    s.error_need_contact = "Tell us how to reach you, or write something in the last field.";
    s.error_csrf = "The form has expired. Please send it again.";
    s.values_kept = "Everything you typed is kept below.";
    s.error_rate_limited = "Too many attempts. Try again in {n} {minutes}.";
    s.minutes_one = "minute";
    s.minutes_few = "minutes";
    s.minutes_many = "minutes";
    s.error_too_many_files = "You can attach at most {n} photos.";
    s.error_file_too_large = "The file is too large: at most {mb} MB.";
    s.error_not_image = "This file is not a JPEG or PNG photo. Please attach a photo in one of these formats.";
    s.error_bad_image = "The file is damaged and cannot be read as an image. Try another photo.";
    s.error_image_too_large = "The image has too many pixels. Take a smaller photo or a screenshot.";
    s.error_bad_form = "The form arrived damaged. Reload the page and try again.";
    s.photos_again = "Please attach the photos again.";
    s.error_server =
        "Something went wrong and nothing was saved. Try again in a few minutes or use another official channel.";
    s.not_found_title = "Page not found";
    s.not_found_text = "There is no such page. Start from the home page.";

    s.fields = {
        {"status", {"Your situation", ""}},
        {"deployment_date", {"Expected deployment date", "YYYY-MM-DD, if known"}},
        {"unit", {"Military unit", "Unit number or name"}},
        {"rank", {"Rank", ""}},
        {"service_number", {"Service number", "Helps us verify the application"}},
        {"area", {"Where you are now", "Town, sector or area"}},
        {"group", {"Alone or with comrades", ""}},
        {"group_size", {"How many people in all", "A number from 1 to 500, including you"}},
        {"contact_window", {"When it is convenient and safe to contact you", "For example: evenings after 20:00"}},
        {"after_capture", {"What you want after capture", ""}},
        {"heard_from", {"How you heard about the line", ""}},
        {"contact", {"How to reach you", "Phone, Telegram or e-mail"}},
        {"name", {"What to call you", "Need not be your real name"}},
        {"free_text", {"Anything you want to say", "Questions, circumstances, anything"}},
        {"seeker_name", {"Your name", ""}},
        {"seeker_contact", {"How to reach you", "Phone, Telegram or e-mail"}},
        {"relation", {"Your relation to him", "For example: wife, mother, brother"}},
        {"sought_name", {"Full name", ""}},
        {"sought_birth_date", {"Date of birth", "YYYY-MM-DD"}},
        {"sought_unit", {"Military unit", ""}},
        {"marks", {"Distinguishing marks", "Tattoos, scars, birthmarks, other features"}},
        {"inquiry.free_text", {"What else is known", "When and where you last heard from him, what he told you"}},
        {"message", {"Message", ""}},
    };
    s.options = {
        {"status.mobilised", "Mobilised"},
        {"status.serving", "Serving (contract or conscript)"},
        {"status.expecting_deployment", "Waiting to be sent to the front"},
        {"group.alone", "Alone"},
        {"group.group", "In a group"},
        {"after_capture.exchange", "Go home in an exchange"},
        {"after_capture.stay", "Stay, not take part in an exchange"},
        {"after_capture.asylum", "Ask for asylum in another country"},
        {"answer.no_data", "We have no information about this person yet."},
        {"answer.data_without_captivity_info", "We have information about this person, but none about captivity."},
        {"answer.probably_captive", "This person is probably in captivity."},
        {"answer.captivity_confirmed", "Captivity is confirmed."},
        {"answer.released_in_exchange", "This person has been released in an exchange."},
    };
    return s;
}

}  // namespace

std::string_view LangCode(Lang lang) noexcept {
    switch (lang) {
        case Lang::kUk: return "uk";
        case Lang::kEn: return "en";
        case Lang::kRu: break;
    }
    return "ru";
}

std::optional<Lang> ParseLang(std::string_view code) noexcept {
    if (code == "ru") return Lang::kRu;
    if (code == "uk") return Lang::kUk;
    if (code == "en") return Lang::kEn;
    return std::nullopt;
}

const std::vector<Lang>& AllLangs() {
    static const std::vector<Lang> kAll = {Lang::kRu, Lang::kUk, Lang::kEn};
    return kAll;
}

const Strings& StringsFor(Lang lang) {
    static const Strings kRussian = MakeRussian();
    static const Strings kUkrainian = MakeUkrainian();
    static const Strings kEnglish = MakeEnglish();
    switch (lang) {
        case Lang::kUk: return kUkrainian;
        case Lang::kEn: return kEnglish;
        case Lang::kRu: break;
    }
    return kRussian;
}

std::string_view MinutesWord(const Strings& s, Lang lang, long long n) {
    if (n < 0) n = -n;
    if (lang == Lang::kEn) return n == 1 ? s.minutes_one : s.minutes_many;
    // East Slavic plurals: 1, 21, 31 … → one; 2–4, 22–24 … → few; the rest (and 11–14) → many.
    const long long mod10 = n % 10;
    const long long mod100 = n % 100;
    if (mod10 == 1 && mod100 != 11) return s.minutes_one;
    if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return s.minutes_few;
    return s.minutes_many;
}

}  // namespace lifeline::public_site
