/* sm-text.c — how each network counts a post's text, and its limit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-text"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "sm-text.h"

typedef struct
{
  gunichar first;
  gunichar last;
} CodeRange;

/* A run of code points [start, end) in a text. */
typedef struct
{
  gsize start;
  gsize end;
} Span;

typedef enum
{
  URL_NONE,    /* nothing that looks like a URL starts here */
  URL_VALID,   /* a URL X shortens to a t.co link */
  URL_INVALID, /* looks like one, but X would not link it */
} UrlMatch;

typedef enum
{
  COUNT_X_WEIGHTED,
  COUNT_CODE_POINTS,
  COUNT_BYTES,
} CountUnit;

/* Limits from shared/docs/platform-apis.md §0.  Every count is taken on
 * the NFC form of the text.  Threads' docs say emoji may count as their
 * UTF-8 bytes; that is unconfirmed, so Threads counts code points like the
 * others until we see it reject a post. */
static const struct
{
  int       limit;
  CountUnit unit;
} text_rules[SM_N_NETWORKS] = {
  [SM_NETWORK_INVALID]   = { 0, COUNT_CODE_POINTS },
  [SM_NETWORK_X]         = { 280, COUNT_X_WEIGHTED },
  [SM_NETWORK_FACEBOOK]  = { 63206, COUNT_CODE_POINTS },
  [SM_NETWORK_LINKEDIN]  = { 3000, COUNT_CODE_POINTS },
  [SM_NETWORK_THREADS]   = { 500, COUNT_CODE_POINTS },
  [SM_NETWORK_INSTAGRAM] = { 2200, COUNT_CODE_POINTS },
  [SM_NETWORK_YOUTUBE]   = { 5000, COUNT_BYTES }, /* the description */
  [SM_NETWORK_TIKTOK]    = { 2200, COUNT_CODE_POINTS },
  [SM_NETWORK_WHATSAPP]  = { 4096, COUNT_CODE_POINTS },
};

/* X's counting, twitter-text config v3 (conformance/twitter-text/
 * config-v3.json): weights are in hundredths of a character. */
#define X_SCALE          100
#define X_DEFAULT_WEIGHT 200
#define X_LIGHT_WEIGHT   100
#define X_URL_LENGTH     23
#define X_MAX_LENGTH     280

/* The ranges config v3 gives weight 100; all else weighs 200. */
static const CodeRange x_light_ranges[] = {
  { 0x0000, 0x10FF }, /* Latin to Georgian: 0-4351 */
  { 0x2000, 0x200D }, /* spaces, ZWNJ, ZWJ: 8192-8205 */
  { 0x2010, 0x201F }, /* dashes and quotes: 8208-8223 */
  { 0x2032, 0x2037 }, /* primes: 8242-8247 */
};

/* twitter-text rejects a post holding any of these. */
#define IS_X_INVALID_CHAR(c) ((c) == 0xFFFE || (c) == 0xFEFF || (c) == 0xFFFF)

/* Extended_Pictographic, from Unicode 14's emoji-data.txt: what may carry
 * an emoji presentation, a skin tone, tags, or be joined by ZWJ. */
static const CodeRange pictographic[] = {
  { 0x00A9, 0x00A9 }, { 0x00AE, 0x00AE }, { 0x203C, 0x203C },
  { 0x2049, 0x2049 }, { 0x2122, 0x2122 }, { 0x2139, 0x2139 },
  { 0x2194, 0x2199 }, { 0x21A9, 0x21AA }, { 0x231A, 0x231B },
  { 0x2328, 0x2328 }, { 0x2388, 0x2388 }, { 0x23CF, 0x23CF },
  { 0x23E9, 0x23F3 }, { 0x23F8, 0x23FA }, { 0x24C2, 0x24C2 },
  { 0x25AA, 0x25AB }, { 0x25B6, 0x25B6 }, { 0x25C0, 0x25C0 },
  { 0x25FB, 0x25FE }, { 0x2600, 0x2605 }, { 0x2607, 0x2612 },
  { 0x2614, 0x2685 }, { 0x2690, 0x2705 }, { 0x2708, 0x2712 },
  { 0x2714, 0x2714 }, { 0x2716, 0x2716 }, { 0x271D, 0x271D },
  { 0x2721, 0x2721 }, { 0x2728, 0x2728 }, { 0x2733, 0x2734 },
  { 0x2744, 0x2744 }, { 0x2747, 0x2747 }, { 0x274C, 0x274C },
  { 0x274E, 0x274E }, { 0x2753, 0x2755 }, { 0x2757, 0x2757 },
  { 0x2763, 0x2767 }, { 0x2795, 0x2797 }, { 0x27A1, 0x27A1 },
  { 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF }, { 0x2934, 0x2935 },
  { 0x2B05, 0x2B07 }, { 0x2B1B, 0x2B1C }, { 0x2B50, 0x2B50 },
  { 0x2B55, 0x2B55 }, { 0x3030, 0x3030 }, { 0x303D, 0x303D },
  { 0x3297, 0x3297 }, { 0x3299, 0x3299 }, { 0x1F000, 0x1F0FF },
  { 0x1F10D, 0x1F10F }, { 0x1F12F, 0x1F12F }, { 0x1F16C, 0x1F171 },
  { 0x1F17E, 0x1F17F }, { 0x1F18E, 0x1F18E }, { 0x1F191, 0x1F19A },
  { 0x1F1AD, 0x1F1E5 }, { 0x1F201, 0x1F20F }, { 0x1F21A, 0x1F21A },
  { 0x1F22F, 0x1F22F }, { 0x1F232, 0x1F23A }, { 0x1F23C, 0x1F23F },
  { 0x1F249, 0x1F3FA }, { 0x1F400, 0x1F53D }, { 0x1F546, 0x1F64F },
  { 0x1F680, 0x1F6FF }, { 0x1F774, 0x1F77F }, { 0x1F7D5, 0x1F7FF },
  { 0x1F80C, 0x1F80F }, { 0x1F848, 0x1F84F }, { 0x1F85A, 0x1F85F },
  { 0x1F888, 0x1F88F }, { 0x1F8AE, 0x1F8FF }, { 0x1F90C, 0x1F93A },
  { 0x1F93C, 0x1F945 }, { 0x1F947, 0x1FAFF }, { 0x1FC00, 0x1FFFD },
};

#define ZWJ      0x200D
#define VS_TEXT  0xFE0E
#define VS_EMOJI 0xFE0F
#define KEYCAP   0x20E3
#define TAG_END  0xE007F

/* Letters twitter-text lets a URL's path hold besides ASCII: Latin with
 * accents and Cyrillic.  Not CJK: a path stops before it. */
static const CodeRange url_path_letters[] = {
  { 0x00C0, 0x00D6 }, { 0x00D8, 0x00F6 }, { 0x00F8, 0x024F },
  { 0x0253, 0x0254 }, { 0x0256, 0x0257 }, { 0x0259, 0x0259 },
  { 0x025B, 0x025B }, { 0x0263, 0x0263 }, { 0x0268, 0x0268 },
  { 0x026F, 0x026F }, { 0x0272, 0x0272 }, { 0x0289, 0x0289 },
  { 0x028B, 0x028B }, { 0x02BB, 0x02BB }, { 0x0300, 0x036F },
  { 0x0400, 0x052F }, { 0x1E00, 0x1EFF },
};

/* DNS limits, which X checks on the host in its ASCII (punycode) form,
 * and X's own limits on a URL and on a t.co link's slug. */
#define MAX_LABEL_LENGTH    63
#define MAX_URL_LENGTH      4096
#define MAX_TCO_SLUG_LENGTH 40
/* The longest name in top_level_domains, in code points. */
#define MAX_TLD_LENGTH      24

/* The top-level domains in the root zone (IANA, as listed in the Public
 * Suffix List of 2023-02-09), in Unicode form, sorted by strcmp() for
 * bsearch().  X links a name only when it ends in one of these, so a name
 * missing here would be counted by its length instead of as 23; retired
 * names that X still knows cost the same.  Two ASCII letters make a
 * country code. */
static const char *const top_level_domains[] = {
  "aaa", "aarp", "abarth", "abb", "abbott", "abbvie", "abc", "able",
  "abogado", "abudhabi", "ac", "academy", "accenture", "accountant",
  "accountants", "aco", "actor", "ad", "ads", "adult", "ae", "aeg", "aero",
  "aetna", "af", "afl", "africa", "ag", "agakhan", "agency", "ai", "aig",
  "airbus", "airforce", "airtel", "akdn", "al", "alfaromeo", "alibaba",
  "alipay", "allfinanz", "allstate", "ally", "alsace", "alstom", "am",
  "amazon", "americanexpress", "americanfamily", "amex", "amfam", "amica",
  "amsterdam", "analytics", "android", "anquan", "anz", "ao", "aol",
  "apartments", "app", "apple", "aq", "aquarelle", "ar", "arab", "aramco",
  "archi", "army", "arpa", "art", "arte", "as", "asda", "asia", "associates",
  "at", "athleta", "attorney", "au", "auction", "audi", "audible", "audio",
  "auspost", "author", "auto", "autos", "avianca", "aw", "aws", "ax", "axa",
  "az", "azure", "ba", "baby", "baidu", "banamex", "bananarepublic", "band",
  "bank", "bar", "barcelona", "barclaycard", "barclays", "barefoot",
  "bargains", "baseball", "basketball", "bauhaus", "bayern", "bb", "bbc",
  "bbt", "bbva", "bcg", "bcn", "be", "beats", "beauty", "beer", "bentley",
  "berlin", "best", "bestbuy", "bet", "bf", "bg", "bh", "bharti", "bi",
  "bible", "bid", "bike", "bing", "bingo", "bio", "biz", "bj", "black",
  "blackfriday", "blockbuster", "blog", "bloomberg", "blue", "bm", "bms",
  "bmw", "bn", "bnpparibas", "bo", "boats", "boehringer", "bofa", "bom",
  "bond", "boo", "book", "booking", "bosch", "bostik", "boston", "bot",
  "boutique", "box", "br", "bradesco", "bridgestone", "broadway", "broker",
  "brother", "brussels", "bs", "bt", "build", "builders", "business", "buy",
  "buzz", "bv", "bw", "by", "bz", "bzh", "ca", "cab", "cafe", "cal", "call",
  "calvinklein", "cam", "camera", "camp", "canon", "capetown", "capital",
  "capitalone", "car", "caravan", "cards", "care", "career", "careers",
  "cars", "casa", "case", "cash", "casino", "cat", "catering", "catholic",
  "cba", "cbn", "cbre", "cbs", "cc", "cd", "center", "ceo", "cern", "cf",
  "cfa", "cfd", "cg", "ch", "chanel", "channel", "charity", "chase", "chat",
  "cheap", "chintai", "christmas", "chrome", "church", "ci", "cipriani",
  "circle", "cisco", "citadel", "citi", "citic", "city", "cityeats", "cl",
  "claims", "cleaning", "click", "clinic", "clinique", "clothing", "cloud",
  "club", "clubmed", "cm", "cn", "co", "coach", "codes", "coffee", "college",
  "cologne", "com", "comcast", "commbank", "community", "company", "compare",
  "computer", "comsec", "condos", "construction", "consulting", "contact",
  "contractors", "cooking", "cookingchannel", "cool", "coop", "corsica",
  "country", "coupon", "coupons", "courses", "cpa", "cr", "credit",
  "creditcard", "creditunion", "cricket", "crown", "crs", "cruise", "cruises",
  "cu", "cuisinella", "cv", "cw", "cx", "cy", "cymru", "cyou", "cz", "dabur",
  "dad", "dance", "data", "date", "dating", "datsun", "day", "dclk", "dds",
  "de", "deal", "dealer", "deals", "degree", "delivery", "dell", "deloitte",
  "delta", "democrat", "dental", "dentist", "desi", "design", "dev", "dhl",
  "diamonds", "diet", "digital", "direct", "directory", "discount",
  "discover", "dish", "diy", "dj", "dk", "dm", "dnp", "do", "docs", "doctor",
  "dog", "domains", "dot", "download", "drive", "dtv", "dubai", "dunlop",
  "dupont", "durban", "dvag", "dvr", "dz", "earth", "eat", "ec", "eco",
  "edeka", "edu", "education", "ee", "eg", "email", "emerck", "energy",
  "engineer", "engineering", "enterprises", "epson", "equipment", "ericsson",
  "erni", "es", "esq", "estate", "et", "etisalat", "eu", "eurovision", "eus",
  "events", "exchange", "expert", "exposed", "express", "extraspace", "fage",
  "fail", "fairwinds", "faith", "family", "fan", "fans", "farm", "farmers",
  "fashion", "fast", "fedex", "feedback", "ferrari", "ferrero", "fi", "fiat",
  "fidelity", "fido", "film", "final", "finance", "financial", "fire",
  "firestone", "firmdale", "fish", "fishing", "fit", "fitness", "fj",
  "flickr", "flights", "flir", "florist", "flowers", "fly", "fm", "fo", "foo",
  "food", "foodnetwork", "football", "ford", "forex", "forsale", "forum",
  "foundation", "fox", "fr", "free", "fresenius", "frl", "frogans",
  "frontdoor", "frontier", "ftr", "fujitsu", "fun", "fund", "furniture",
  "futbol", "fyi", "ga", "gal", "gallery", "gallo", "gallup", "game", "games",
  "gap", "garden", "gay", "gb", "gbiz", "gd", "gdn", "ge", "gea", "gent",
  "genting", "george", "gf", "gg", "ggee", "gh", "gi", "gift", "gifts",
  "gives", "giving", "gl", "glass", "gle", "global", "globo", "gm", "gmail",
  "gmbh", "gmo", "gmx", "gn", "godaddy", "gold", "goldpoint", "golf", "goo",
  "goodyear", "goog", "google", "gop", "got", "gov", "gp", "gq", "gr",
  "grainger", "graphics", "gratis", "green", "gripe", "grocery", "group",
  "gs", "gt", "gu", "guardian", "gucci", "guge", "guide", "guitars", "guru",
  "gw", "gy", "hair", "hamburg", "hangout", "haus", "hbo", "hdfc", "hdfcbank",
  "health", "healthcare", "help", "helsinki", "here", "hermes", "hgtv",
  "hiphop", "hisamitsu", "hitachi", "hiv", "hk", "hkt", "hm", "hn", "hockey",
  "holdings", "holiday", "homedepot", "homegoods", "homes", "homesense",
  "honda", "horse", "hospital", "host", "hosting", "hot", "hoteles", "hotels",
  "hotmail", "house", "how", "hr", "hsbc", "ht", "hu", "hughes", "hyatt",
  "hyundai", "ibm", "icbc", "ice", "icu", "id", "ie", "ieee", "ifm", "ikano",
  "il", "im", "imamat", "imdb", "immo", "immobilien", "in", "inc",
  "industries", "infiniti", "info", "ing", "ink", "institute", "insurance",
  "insure", "int", "international", "intuit", "investments", "io", "ipiranga",
  "iq", "ir", "irish", "is", "ismaili", "ist", "istanbul", "it", "itau",
  "itv", "jaguar", "java", "jcb", "je", "jeep", "jetzt", "jewelry", "jio",
  "jll", "jmp", "jnj", "jo", "jobs", "joburg", "jot", "joy", "jp", "jpmorgan",
  "jprs", "juegos", "juniper", "kaufen", "kddi", "ke", "kerryhotels",
  "kerrylogistics", "kerryproperties", "kfh", "kg", "ki", "kia", "kids",
  "kim", "kinder", "kindle", "kitchen", "kiwi", "km", "kn", "koeln",
  "komatsu", "kosher", "kp", "kpmg", "kpn", "kr", "krd", "kred", "kuokgroup",
  "kw", "ky", "kyoto", "kz", "la", "lacaixa", "lamborghini", "lamer",
  "lancaster", "lancia", "land", "landrover", "lanxess", "lasalle", "lat",
  "latino", "latrobe", "law", "lawyer", "lb", "lc", "lds", "lease", "leclerc",
  "lefrak", "legal", "lego", "lexus", "lgbt", "li", "lidl", "life",
  "lifeinsurance", "lifestyle", "lighting", "like", "lilly", "limited",
  "limo", "lincoln", "linde", "link", "lipsy", "live", "living", "lk", "llc",
  "llp", "loan", "loans", "locker", "locus", "lol", "london", "lotte",
  "lotto", "love", "lpl", "lplfinancial", "lr", "ls", "lt", "ltd", "ltda",
  "lu", "lundbeck", "luxe", "luxury", "lv", "ly", "ma", "macys", "madrid",
  "maif", "maison", "makeup", "man", "management", "mango", "map", "market",
  "marketing", "markets", "marriott", "marshalls", "maserati", "mattel",
  "mba", "mc", "mckinsey", "md", "me", "med", "media", "meet", "melbourne",
  "meme", "memorial", "men", "menu", "merckmsd", "mg", "mh", "miami",
  "microsoft", "mil", "mini", "mint", "mit", "mitsubishi", "mk", "ml", "mlb",
  "mls", "mma", "mn", "mo", "mobi", "mobile", "moda", "moe", "moi", "mom",
  "monash", "money", "monster", "mormon", "mortgage", "moscow", "moto",
  "motorcycles", "mov", "movie", "mp", "mq", "mr", "ms", "msd", "mt", "mtn",
  "mtr", "mu", "museum", "music", "mutual", "mv", "mw", "mx", "my", "mz",
  "na", "nab", "nagoya", "name", "natura", "navy", "nba", "nc", "ne", "nec",
  "net", "netbank", "netflix", "network", "neustar", "new", "news", "next",
  "nextdirect", "nexus", "nf", "nfl", "ng", "ngo", "nhk", "ni", "nico",
  "nike", "nikon", "ninja", "nissan", "nissay", "nl", "no", "nokia",
  "northwesternmutual", "norton", "now", "nowruz", "nowtv", "nr", "nra",
  "nrw", "ntt", "nu", "nyc", "nz", "obi", "observer", "office", "okinawa",
  "olayan", "olayangroup", "oldnavy", "ollo", "om", "omega", "one", "ong",
  "onion", "onl", "online", "ooo", "open", "oracle", "orange", "org",
  "organic", "origins", "osaka", "otsuka", "ott", "ovh", "pa", "page",
  "panasonic", "paris", "pars", "partners", "parts", "party", "passagens",
  "pay", "pccw", "pe", "pet", "pf", "pfizer", "ph", "pharmacy", "phd",
  "philips", "phone", "photo", "photography", "photos", "physio", "pics",
  "pictet", "pictures", "pid", "pin", "ping", "pink", "pioneer", "pizza",
  "pk", "pl", "place", "play", "playstation", "plumbing", "plus", "pm", "pn",
  "pnc", "pohl", "poker", "politie", "porn", "post", "pr", "pramerica",
  "praxi", "press", "prime", "pro", "prod", "productions", "prof",
  "progressive", "promo", "properties", "property", "protection", "pru",
  "prudential", "ps", "pt", "pub", "pw", "pwc", "py", "qa", "qpon", "quebec",
  "quest", "racing", "radio", "re", "read", "realestate", "realtor", "realty",
  "recipes", "red", "redstone", "redumbrella", "rehab", "reise", "reisen",
  "reit", "reliance", "ren", "rent", "rentals", "repair", "report",
  "republican", "rest", "restaurant", "review", "reviews", "rexroth", "rich",
  "richardli", "ricoh", "ril", "rio", "rip", "ro", "rocher", "rocks", "rodeo",
  "rogers", "room", "rs", "rsvp", "ru", "rugby", "ruhr", "run", "rw", "rwe",
  "ryukyu", "sa", "saarland", "safe", "safety", "sakura", "sale", "salon",
  "samsclub", "samsung", "sandvik", "sandvikcoromant", "sanofi", "sap",
  "sarl", "sas", "save", "saxo", "sb", "sbi", "sbs", "sc", "sca", "scb",
  "schaeffler", "schmidt", "scholarships", "school", "schule", "schwarz",
  "science", "scot", "sd", "se", "search", "seat", "secure", "security",
  "seek", "select", "sener", "services", "seven", "sew", "sex", "sexy", "sfr",
  "sg", "sh", "shangrila", "sharp", "shaw", "shell", "shia", "shiksha",
  "shoes", "shop", "shopping", "shouji", "show", "showtime", "si", "silk",
  "sina", "singles", "site", "sj", "sk", "ski", "skin", "sky", "skype", "sl",
  "sling", "sm", "smart", "smile", "sn", "sncf", "so", "soccer", "social",
  "softbank", "software", "sohu", "solar", "solutions", "song", "sony", "soy",
  "spa", "space", "sport", "spot", "sr", "srl", "ss", "st", "stada",
  "staples", "star", "statebank", "statefarm", "stc", "stcgroup", "stockholm",
  "storage", "store", "stream", "studio", "study", "style", "su", "sucks",
  "supplies", "supply", "support", "surf", "surgery", "suzuki", "sv",
  "swatch", "swiss", "sx", "sy", "sydney", "systems", "sz", "tab", "taipei",
  "talk", "taobao", "target", "tatamotors", "tatar", "tattoo", "tax", "taxi",
  "tc", "tci", "td", "tdk", "team", "tech", "technology", "tel", "temasek",
  "tennis", "teva", "tf", "tg", "th", "thd", "theater", "theatre", "tiaa",
  "tickets", "tienda", "tiffany", "tips", "tires", "tirol", "tj", "tjmaxx",
  "tjx", "tk", "tkmaxx", "tl", "tm", "tmall", "tn", "to", "today", "tokyo",
  "tools", "top", "toray", "toshiba", "total", "tours", "town", "toyota",
  "toys", "tr", "trade", "trading", "training", "travel", "travelchannel",
  "travelers", "travelersinsurance", "trust", "trv", "tt", "tube", "tui",
  "tunes", "tushu", "tv", "tvs", "tw", "tz", "ua", "ubank", "ubs", "ug", "uk",
  "unicom", "university", "uno", "uol", "ups", "us", "uy", "uz", "va",
  "vacations", "vana", "vanguard", "vc", "ve", "vegas", "ventures",
  "verisign", "vermögensberater", "vermögensberatung", "versicherung", "vet",
  "vg", "vi", "viajes", "video", "vig", "viking", "villas", "vin", "vip",
  "virgin", "visa", "vision", "viva", "vivo", "vlaanderen", "vn", "vodka",
  "volkswagen", "volvo", "vote", "voting", "voto", "voyage", "vu", "vuelos",
  "wales", "walmart", "walter", "wang", "wanggou", "watch", "watches",
  "weather", "weatherchannel", "webcam", "weber", "website", "wedding",
  "weibo", "weir", "wf", "whoswho", "wien", "wiki", "williamhill", "win",
  "windows", "wine", "winners", "wme", "wolterskluwer", "woodside", "work",
  "works", "world", "wow", "ws", "wtc", "wtf", "xbox", "xerox", "xfinity",
  "xihuan", "xin", "xxx", "xyz", "yachts", "yahoo", "yamaxun", "yandex", "ye",
  "yodobashi", "yoga", "yokohama", "you", "youtube", "yt", "yun", "zappos",
  "zara", "zero", "zip", "zm", "zone", "zuerich", "zw", "ελ", "ευ", "бг",
  "бел", "дети", "ею", "католик", "ком", "мкд", "мон", "москва", "онлайн",
  "орг", "рус", "рф", "сайт", "срб", "укр", "қаз", "հայ", "ישראל", "קום",
  "ابوظبي", "اتصالات", "ارامكو", "الاردن", "البحرين", "الجزائر", "السعودية",
  "السعوديه", "السعودیة", "السعودیۃ", "العليان", "المغرب", "اليمن", "امارات",
  "ايران", "ایران", "بارت", "بازار", "بيتك", "بھارت", "تونس", "سودان",
  "سوريا", "سورية", "شبكة", "عراق", "عرب", "عمان", "فلسطين", "قطر", "كاثوليك",
  "كوم", "مصر", "مليسيا", "موريتانيا", "موقع", "همراه", "پاكستان", "پاکستان",
  "ڀارت", "कॉम", "नेट", "भारत", "भारतम्", "भारोत", "संगठन", "বাংলা", "ভারত",
  "ভাৰত", "ਭਾਰਤ", "ભારત", "ଭାରତ", "இந்தியா", "இலங்கை", "சிங்கப்பூர்", "భారత్",
  "ಭಾರತ", "ഭാരതം", "ලංකා", "คอม", "ไทย", "ລາວ", "გე", "みんな", "アマゾン", "クラウド",
  "グーグル", "コム", "ストア", "セール", "ファッション", "ポイント", "世界", "中信", "中国", "中國", "中文网",
  "亚马逊", "企业", "佛山", "信息", "健康", "八卦", "公司", "公益", "台湾", "台灣", "商城", "商店",
  "商标", "嘉里", "嘉里大酒店", "在线", "大拿", "天主教", "娱乐", "家電", "广东", "微博", "慈善", "我爱你",
  "手机", "招聘", "政务", "政府", "新加坡", "新闻", "时尚", "書籍", "机构", "淡马锡", "游戏", "澳門",
  "澳门", "点看", "移动", "组织机构", "网址", "网店", "网站", "网络", "联通", "臺灣", "谷歌", "购物",
  "通販", "集团", "電訊盈科", "飞利浦", "食品", "餐厅", "香格里拉", "香港", "닷넷", "닷컴", "삼성", "한국",
};

static gboolean
in_ranges (const CodeRange *ranges,
           gsize            n_ranges,
           gunichar         c)
{
  gsize lo = 0;
  gsize hi = n_ranges;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (c < ranges[mid].first)
        hi = mid;
      else if (c > ranges[mid].last)
        lo = mid + 1;
      else
        return TRUE;
    }

  return FALSE;
}

static char *
nfc_string (const char *text)
{
  g_autofree char *valid = NULL;

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);

  return g_utf8_normalize (text, -1, G_NORMALIZE_NFC);
}

static int
clamp_count (gint64 count)
{
  return (int) CLAMP (count, 0, G_MAXINT);
}

/* Emoji */

static gboolean
is_pictographic (gunichar c)
{
  return in_ranges (pictographic, G_N_ELEMENTS (pictographic), c);
}

static gboolean
is_regional_indicator (gunichar c)
{
  return c >= 0x1F1E6 && c <= 0x1F1FF;
}

static gboolean
is_skin_tone (gunichar c)
{
  return c >= 0x1F3FB && c <= 0x1F3FF;
}

static gboolean
is_tag (gunichar c)
{
  return c >= 0xE0020 && c <= 0xE007E;
}

/* A pictograph with what may qualify it: the emoji variation selector, a
 * skin tone, a tag sequence (subdivision flags).  A pictograph asking for
 * text presentation (U+FE0E) is no emoji: it and the selector count as
 * characters, as X does.  Returns where the element ends, or @i. */
static gsize
match_emoji_element (const gunichar *s,
                     gsize           n,
                     gsize           i)
{
  gsize j;

  if (i >= n || !is_pictographic (s[i]))
    return i;
  if (i + 1 < n && s[i + 1] == VS_TEXT)
    return i;

  i++;
  if (i < n && s[i] == VS_EMOJI)
    i++;
  if (i < n && is_skin_tone (s[i]))
    i++;

  for (j = i; j < n && is_tag (s[j]); j++)
    ;
  if (j > i && j < n && s[j] == TAG_END)
    i = j + 1;

  return i;
}

/* The emoji sequence starting at @i, which X counts as one default weight
 * however many code points it holds: a flag (two regional indicators), a
 * keycap, or pictographs joined by ZWJ.  Any chain of pictographs counts
 * once here; X only knows the sequences Unicode recommends, so an invented
 * chain may count more there.  Returns where it ends, or @i. */
static gsize
match_emoji (const gunichar *s,
             gsize           n,
             gsize           i)
{
  gsize end;

  if (is_regional_indicator (s[i]))
    return (i + 1 < n && is_regional_indicator (s[i + 1])) ? i + 2 : i;

  if ((s[i] >= '0' && s[i] <= '9') || s[i] == '#' || s[i] == '*')
    {
      gsize j = i + 1;

      if (j < n && s[j] == VS_EMOJI)
        j++;
      return (j < n && s[j] == KEYCAP) ? j + 1 : i;
    }

  end = match_emoji_element (s, n, i);
  if (end == i)
    return i;

  while (end + 1 < n && s[end] == ZWJ)
    {
      gsize next = match_emoji_element (s, n, end + 1);

      if (next == end + 1)
        break;
      end = next;
    }

  return end;
}

/* URLs
 *
 * X counts every URL it would shorten to a t.co link as 23, whatever its
 * length, so the counter has to find the same URLs as twitter-text's
 * extractor: http and https URLs, and bare domain names, all ending in a
 * known top-level domain.  What follows is written from twitter-text's
 * conformance cases (tests.urls, urls_without_protocol and the weighted
 * counting cases) and the behaviour they describe. */

static gboolean
is_ascii_alnum (gunichar c)
{
  return c < 0x80 && g_ascii_isalnum ((char) c);
}

static gboolean
is_ascii_in (gunichar    c,
             const char *set)
{
  return c > 0 && c < 0x80 && strchr (set, (int) c) != NULL;
}

static gboolean
is_url_letter (gunichar c)
{
  return is_ascii_alnum (c) ||
         in_ranges (url_path_letters, G_N_ELEMENTS (url_path_letters), c);
}

/* What a host name may hold: anything but ASCII punctuation (other than
 * '-' and '_', which each label checks), spaces and invisible controls.
 * A bare domain, without http(s)://, is ASCII only. */
static gboolean
is_host_char (gunichar c,
              gboolean ascii_only)
{
  if (c == '-' || c == '_')
    return TRUE;
  if (c < 0x80)
    return g_ascii_isalnum ((char) c);
  if (ascii_only || g_unichar_isspace (c) || IS_X_INVALID_CHAR (c))
    return FALSE;

  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_SURROGATE:
    case G_UNICODE_UNASSIGNED:
      return FALSE;
    default:
      return TRUE;
    }
}

/* A URL starts a word: not after a letter or digit, nor as part of a
 * mention (@), hashtag (#) or cashtag ($). */
static gboolean
may_precede_url (gunichar c)
{
  return !(is_ascii_alnum (c) || c == '@' || c == 0xFF20 || c == '$' ||
           c == '#' || c == 0xFF03 || IS_X_INVALID_CHAR (c));
}

/* ... and a bare domain not after '-', '_', '.' or '/' either, so that the
 * tail of "foo_bar.com" or of "ftp://example.com" is no link. */
static gboolean
may_precede_bare_url (gunichar c)
{
  return may_precede_url (c) && !is_ascii_in (c, "-_./");
}

/* A label starts and ends with a letter or digit; only subdomains may hold
 * an underscore. */
static gboolean
is_valid_label (const gunichar *s,
                Span            label,
                gboolean        allow_underscore)
{
  gunichar first = s[label.start];
  gunichar last = s[label.end - 1];

  if (first == '-' || first == '_' || last == '-' || last == '_')
    return FALSE;

  if (!allow_underscore)
    for (gsize i = label.start; i < label.end; i++)
      if (s[i] == '_')
        return FALSE;

  return TRUE;
}

static int
compare_names (const void *a,
               const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
is_known_tld (const char *name)
{
  return bsearch (&name, top_level_domains, G_N_ELEMENTS (top_level_domains),
                  sizeof top_level_domains[0], compare_names) != NULL;
}

/* A top-level domain may not run on into a letter, digit, '@', '+' or '-'
 * ("example.com-x" is no link), but may into other text: "example.comまで"
 * links "example.com". */
static gboolean
may_follow_tld (const gunichar *s,
                gsize           n,
                gsize           i)
{
  return i >= n || !(is_ascii_alnum (s[i]) || is_ascii_in (s[i], "@+-"));
}

/* How many code points of @label, from its start, make a top-level domain:
 * a known one or a punycode one (xn--...); 0 if none. */
static gsize
tld_length (const gunichar *s,
            gsize           n,
            Span            label)
{
  char buf[MAX_TLD_LENGTH * 6 + 1];
  gsize offsets[MAX_TLD_LENGTH + 1];
  gsize max = MIN (label.end - label.start, MAX_TLD_LENGTH);

  if (label.end - label.start > 4 &&
      g_unichar_tolower (s[label.start]) == 'x' &&
      g_unichar_tolower (s[label.start + 1]) == 'n' &&
      s[label.start + 2] == '-' && s[label.start + 3] == '-')
    {
      gsize i = label.start + 4;

      while (i < label.end && (is_ascii_alnum (s[i]) || s[i] == '-'))
        i++;
      if (i > label.start + 4 && may_follow_tld (s, n, i))
        return i - label.start;
    }

  offsets[0] = 0;
  for (gsize i = 0; i < max; i++)
    offsets[i + 1] = offsets[i] +
      (gsize) g_unichar_to_utf8 (g_unichar_tolower (s[label.start + i]),
                                 buf + offsets[i]);

  /* Longest first, as "community" must win over "com". */
  for (gsize len = max; len > 0; len--)
    {
      if (!may_follow_tld (s, n, label.start + len))
        continue;
      buf[offsets[len]] = '\0';
      if (is_known_tld (buf))
        return len;
    }

  return 0;
}

static gboolean
is_country_code (const gunichar *s,
                 Span            tld)
{
  return tld.end - tld.start == 2 &&
         s[tld.start] < 0x80 && g_ascii_isalpha ((char) s[tld.start]) &&
         s[tld.start + 1] < 0x80 && g_ascii_isalpha ((char) s[tld.start + 1]);
}

#define PUNY_BASE 36
#define PUNY_TMIN 1
#define PUNY_TMAX 26
#define PUNY_SKEW 38
#define PUNY_DAMP 700

static guint64
punycode_adapt (guint64  delta,
                guint64  n_points,
                gboolean first)
{
  guint64 k = 0;

  delta = first ? delta / PUNY_DAMP : delta / 2;
  delta += delta / n_points;
  while (delta > ((PUNY_BASE - PUNY_TMIN) * PUNY_TMAX) / 2)
    {
      delta /= PUNY_BASE - PUNY_TMIN;
      k += PUNY_BASE;
    }

  return k + (PUNY_BASE - PUNY_TMIN + 1) * delta / (delta + PUNY_SKEW);
}

/* The length of @label encoded as RFC 3492 punycode, without the "xn--"
 * prefix.  Only the length matters here, so digits are counted, not
 * written, and the count stops once it passes @give_up. */
static gsize
punycode_length (const gunichar *s,
                 Span            label,
                 gsize           give_up)
{
  guint64 code = 0x80;
  guint64 delta = 0;
  guint64 bias = 72;
  gsize len = label.end - label.start;
  gsize n_basic = 0;
  gsize handled;
  gsize out;

  for (gsize i = label.start; i < label.end; i++)
    if (s[i] < 0x80)
      n_basic++;

  out = n_basic > 0 ? n_basic + 1 : 0;
  if (out > give_up)
    return out;

  handled = n_basic;
  while (handled < len)
    {
      guint64 next = G_MAXUINT64;

      for (gsize i = label.start; i < label.end; i++)
        if (s[i] >= code && s[i] < next)
          next = s[i];

      delta += (next - code) * (handled + 1);
      code = next;

      for (gsize i = label.start; i < label.end; i++)
        {
          if (s[i] < code)
            delta++;
          else if (s[i] == code)
            {
              guint64 q = delta;

              for (guint64 k = PUNY_BASE;; k += PUNY_BASE)
                {
                  guint64 t = k <= bias ? PUNY_TMIN
                              : k >= bias + PUNY_TMAX ? PUNY_TMAX
                              : k - bias;

                  if (q < t)
                    break;
                  out++;
                  q = (q - t) / (PUNY_BASE - t);
                }
              out++;

              bias = punycode_adapt (delta, handled + 1, handled == n_basic);
              delta = 0;
              handled++;
              if (out > give_up)
                return out;
            }
        }

      delta++;
      code++;
    }

  return out;
}

/* The length of @label as it goes into DNS. */
static gsize
label_dns_length (const gunichar *s,
                  Span            label)
{
  for (gsize i = label.start; i < label.end; i++)
    if (s[i] >= 0x80)
      return 4 + punycode_length (s, label, MAX_LABEL_LENGTH);

  return label.end - label.start;
}

/* A path runs on over path characters and balanced parentheses, and ends
 * on a letter, digit or one of "=_#/-+": "see http://x.com/a." leaves the
 * dot out, "(http://x.com/a_(b))" keeps the inner pair only. */
static gsize
scan_path (const gunichar *s,
           gsize           n,
           gsize           slash)
{
  gsize end = slash + 1;
  guint depth = 0;

  for (gsize i = slash + 1; i < n; i++)
    {
      gunichar c = s[i];

      if (c == '(')
        depth++;
      else if (c == ')')
        {
          if (depth == 0)
            break;
          if (--depth == 0)
            end = i + 1;
        }
      else if (is_url_letter (c) || c == 0x2013 ||
               is_ascii_in (c, "!*';:=+,.$/%#[]-_~|&@"))
        {
          if (depth == 0 && (is_url_letter (c) || is_ascii_in (c, "=_#/-+")))
            end = i + 1;
        }
      else
        break;
    }

  return end;
}

/* A query ends on a letter, digit or one of "-_&=#/"; with none, the '?'
 * is left out too. */
static gsize
scan_query (const gunichar *s,
            gsize           n,
            gsize           question)
{
  gsize end = question;

  for (gsize i = question + 1;
       i < n && (is_ascii_alnum (s[i]) ||
                 is_ascii_in (s[i], "!?*'@();:&=+$/%#[]-_.,~|"));
       i++)
    if (is_ascii_alnum (s[i]) || is_ascii_in (s[i], "-_&=#/"))
      end = i + 1;

  return end;
}

/* Length of "http://" or "https://" at @i, any case; 0 if neither. */
static gsize
protocol_length (const gunichar *s,
                 gsize           n,
                 gsize           i)
{
  static const char *const protocols[] = { "https://", "http://" };

  for (guint p = 0; p < G_N_ELEMENTS (protocols); p++)
    {
      const char *proto = protocols[p];
      gsize len = strlen (proto);
      gsize j;

      if (n - i < len)
        continue;
      for (j = 0; j < len; j++)
        if (s[i + j] >= 0x80 ||
            g_ascii_tolower ((char) s[i + j]) != proto[j])
          break;
      if (j == len)
        return len;
    }

  return 0;
}

static gboolean
is_tco_host (const gunichar *s,
             Span            host)
{
  static const char tco[] = "t.co";

  if (host.end - host.start != strlen (tco))
    return FALSE;
  for (gsize i = 0; i < strlen (tco); i++)
    if (s[host.start + i] >= 0x80 ||
        g_ascii_tolower ((char) s[host.start + i]) != tco[i])
      return FALSE;

  return TRUE;
}

/* Whether a URL starts at @i, with a protocol of @proto_len code points or
 * bare (0).  Sets @end to where it ends unless URL_NONE; an invalid URL is
 * skipped whole, as X does, so no part of it becomes a link. */
static UrlMatch
match_url (const gunichar *s,
           gsize           n,
           gsize           i,
           gsize           proto_len,
           gsize          *end)
{
  g_autoptr(GArray) labels = g_array_new (FALSE, FALSE, sizeof (Span));
  gboolean bare = proto_len == 0;
  const Span *label;
  Span host;
  Span tld;
  guint first_bad_subdomain;
  guint k;
  gsize e;
  gsize url_length;
  gboolean has_path = FALSE;

  for (gsize p = i + proto_len;;)
    {
      Span l = { p, p };

      while (l.end < n && is_host_char (s[l.end], bare))
        l.end++;
      if (l.end == l.start)
        break;
      g_array_append_val (labels, l);
      if (l.end < n && s[l.end] == '.')
        p = l.end + 1;
      else
        break;
    }
  if (labels->len < 2)
    return URL_NONE;
  label = (const Span *) (gpointer) labels->data;

  /* The host is subdomains, a name and a top-level domain.  Take as many
   * labels as make a valid host, as a greedy regex would. */
  for (first_bad_subdomain = 0; first_bad_subdomain < labels->len; first_bad_subdomain++)
    if (!is_valid_label (s, label[first_bad_subdomain], TRUE))
      break;

  tld.start = tld.end = 0;
  for (k = labels->len - 1; k > 0; k--)
    {
      gsize tld_len;

      if (k - 1 > first_bad_subdomain ||
          !is_valid_label (s, label[k - 1], FALSE))
        continue;
      tld_len = tld_length (s, n, label[k]);
      if (tld_len > 0)
        {
          tld.start = label[k].start;
          tld.end = label[k].start + tld_len;
          break;
        }
    }
  if (k == 0)
    return URL_NONE;

  host.start = label[0].start;
  host.end = tld.end;
  e = host.end;

  if (e + 1 < n && s[e] == ':' && s[e + 1] >= '0' && s[e + 1] <= '9')
    for (e++; e < n && s[e] >= '0' && s[e] <= '9'; e++)
      ;
  if (e < n && s[e] == '/')
    {
      has_path = TRUE;
      e = scan_path (s, n, e);
    }
  if (e < n && s[e] == '?')
    e = scan_query (s, n, e);
  *end = e;

  /* A t.co link is a slug and nothing more: what follows is text. */
  if (!bare && is_tco_host (s, host) && host.end < n && s[host.end] == '/')
    {
      gsize slug_end = host.end + 1;

      while (slug_end < n && is_ascii_alnum (s[slug_end]))
        slug_end++;
      if (slug_end - host.end - 1 > MAX_TCO_SLUG_LENGTH)
        return URL_INVALID;
      if (slug_end > host.end + 1)
        {
          *end = slug_end;
          if (slug_end < n && s[slug_end] == '?')
            *end = scan_query (s, n, slug_end);
        }
    }

  /* Each label must fit DNS once in punycode (the reason a long CJK host
   * is no link), and the whole URL X's limit. */
  url_length = *end - i;
  for (guint j = 0; j <= k; j++)
    {
      Span l = j < k ? label[j] : tld;
      gsize dns_length = label_dns_length (s, l);

      if (dns_length > MAX_LABEL_LENGTH)
        return URL_INVALID;
      url_length = url_length - (l.end - l.start) + dns_length;
    }
  if (url_length > MAX_URL_LENGTH)
    return URL_INVALID;

  /* Without a protocol or a path, a name right under a country code is
   * too likely a file name ("readme.md") to be a link; .co and .tv are
   * used as generic ones. */
  if (bare && !has_path && k == 1 && is_country_code (s, tld))
    {
      gunichar a = g_unichar_tolower (s[tld.start]);
      gunichar b = g_unichar_tolower (s[tld.start + 1]);

      if (!((a == 'c' && b == 'o') || (a == 't' && b == 'v')))
        return URL_INVALID;
    }

  return URL_VALID;
}

/* The URLs X would link in @s, in order. */
static GArray *
find_urls (const gunichar *s,
           gsize           n)
{
  GArray *urls = g_array_new (FALSE, FALSE, sizeof (Span));
  gsize i = 0;

  while (i < n)
    {
      gunichar prev = i > 0 ? s[i - 1] : ' ';
      gsize proto_len;
      gsize end = i;
      UrlMatch match = URL_NONE;

      if (may_precede_url (prev))
        {
          proto_len = protocol_length (s, n, i);
          if (proto_len > 0)
            match = match_url (s, n, i, proto_len, &end);
          else if (is_ascii_alnum (s[i]) && may_precede_bare_url (prev))
            match = match_url (s, n, i, 0, &end);
        }

      if (match == URL_VALID)
        {
          Span url = { i, end };

          g_array_append_val (urls, url);
        }

      if (match != URL_NONE && end > i)
        i = end;
      else
        i++;
    }

  return urls;
}

/* X's weighted length of @s, in hundredths of a character. */
static gint64
x_weighted_sum (const gunichar *s,
                gsize           n)
{
  g_autoptr(GArray) urls = find_urls (s, n);
  guint next_url = 0;
  gint64 sum = 0;

  for (gsize i = 0; i < n;)
    {
      gsize end;

      while (next_url < urls->len && g_array_index (urls, Span, next_url).start < i)
        next_url++;
      if (next_url < urls->len && g_array_index (urls, Span, next_url).start == i)
        {
          sum += X_URL_LENGTH * X_SCALE;
          i = g_array_index (urls, Span, next_url).end;
          continue;
        }

      end = match_emoji (s, n, i);
      if (end > i)
        {
          sum += X_DEFAULT_WEIGHT;
          i = end;
          continue;
        }

      if (in_ranges (x_light_ranges, G_N_ELEMENTS (x_light_ranges), s[i]))
        sum += X_LIGHT_WEIGHT;
      else
        sum += X_DEFAULT_WEIGHT;
      i++;
    }

  return sum;
}

/* Measures @text as X does: its weighted length in characters, whether it
 * is empty, and the first character X refuses (0 if none). */
static int
x_measure (const char *text,
           gboolean   *empty,
           gunichar   *invalid)
{
  g_autofree char *nfc = nfc_string (text);
  g_autofree gunichar *s = NULL;
  glong n = 0;

  s = g_utf8_to_ucs4_fast (nfc, -1, &n);

  if (empty != NULL)
    *empty = n == 0;
  if (invalid != NULL)
    {
      *invalid = 0;
      for (glong i = 0; i < n; i++)
        if (IS_X_INVALID_CHAR (s[i]))
          {
            *invalid = s[i];
            break;
          }
    }

  return clamp_count (x_weighted_sum (s, (gsize) n) / X_SCALE);
}

static char *
over_limit_message (SmNetwork network,
                    int       limit,
                    int       over)
{
  const char *name = sm_network_display_name (network);
  g_autofree char *allows = NULL;
  g_autofree char *excess = NULL;

  if (text_rules[network].unit == COUNT_BYTES)
    /* Translators: the first half of "YouTube allows 5000 bytes; this
     * text is 12 over."  %s is the network, %d the limit. */
    allows = g_strdup_printf (ngettext ("%s allows %d byte",
                                        "%s allows %d bytes", (gulong) limit),
                              name, limit);
  else
    /* Translators: the first half of "X allows 280 characters; this text
     * is 12 over."  %s is the network, %d the limit. */
    allows = g_strdup_printf (ngettext ("%s allows %d character",
                                        "%s allows %d characters", (gulong) limit),
                              name, limit);

  /* Translators: the second half of "X allows 280 characters; this text
   * is 12 over."  %d is by how many characters (or bytes). */
  excess = g_strdup_printf (ngettext ("this text is %d over",
                                      "this text is %d over", (gulong) over),
                            over);

  /* Translators: joins "X allows 280 characters" and "this text is 12
   * over" into one sentence. */
  return g_strdup_printf (_("%s; %s."), allows, excess);
}

/**
 * sm_text_x_weighted_length:
 * @text: a post's text, UTF-8
 *
 * Counts @text as X does (twitter-text config v3): NFC first, each URL 23,
 * each emoji sequence 2, code points in the light ranges 1, others 2.
 *
 * Returns: the weighted length, in characters
 */
int
sm_text_x_weighted_length (const char *text)
{
  g_return_val_if_fail (text != NULL, 0);

  return x_measure (text, NULL, NULL);
}

/**
 * sm_text_x_is_valid:
 * @text: a post's text, UTF-8
 *
 * Whether X would take @text as a post, as twitter-text judges it: not
 * empty, no U+FFFE, U+FEFF or U+FFFF, and at most 280 weighted characters.
 *
 * Returns: %TRUE if X would take it
 */
gboolean
sm_text_x_is_valid (const char *text)
{
  gboolean empty;
  gunichar invalid;
  int length;

  g_return_val_if_fail (text != NULL, FALSE);

  length = x_measure (text, &empty, &invalid);

  return !empty && invalid == 0 && length <= X_MAX_LENGTH;
}

/**
 * sm_text_count:
 * @network: a network
 * @text: a post's text, UTF-8
 *
 * Counts @text in the unit of @network's limit: X's weighted length, UTF-8
 * bytes for YouTube, code points for the others, all after NFC.
 *
 * Returns: the length
 */
int
sm_text_count (SmNetwork   network,
               const char *text)
{
  g_autofree char *nfc = NULL;

  g_return_val_if_fail (network > SM_NETWORK_INVALID && network < SM_N_NETWORKS, 0);
  g_return_val_if_fail (text != NULL, 0);

  switch (text_rules[network].unit)
    {
    case COUNT_X_WEIGHTED:
      return sm_text_x_weighted_length (text);
    case COUNT_CODE_POINTS:
      nfc = nfc_string (text);
      return clamp_count (g_utf8_strlen (nfc, -1));
    case COUNT_BYTES:
      nfc = nfc_string (text);
      return clamp_count ((gint64) strlen (nfc));
    default:
      g_assert_not_reached ();
    }

  return 0;
}

/**
 * sm_text_limit:
 * @network: a network
 *
 * Returns: the most a post's text may count on @network, in the unit of
 *   sm_text_count()
 */
int
sm_text_limit (SmNetwork network)
{
  g_return_val_if_fail (network > SM_NETWORK_INVALID && network < SM_N_NETWORKS, 0);

  return text_rules[network].limit;
}

/**
 * sm_text_check:
 * @network: a network
 * @text: a post's text, UTF-8
 * @message: (out) (optional) (transfer full): where to put what is wrong
 *
 * Checks that @text fits @network.  An empty text fits: whether a post
 * needs text is not this function's business.  For X it also checks for
 * the invisible characters X refuses.
 *
 * Returns: %TRUE when @text fits; otherwise %FALSE, with @message set to
 *   a translated line saying what is wrong
 */
gboolean
sm_text_check (SmNetwork   network,
               const char *text,
               char      **message)
{
  int count;
  int limit;

  g_return_val_if_fail (network > SM_NETWORK_INVALID && network < SM_N_NETWORKS, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (message != NULL)
    *message = NULL;

  if (network == SM_NETWORK_X)
    {
      gunichar invalid;

      count = x_measure (text, NULL, &invalid);
      if (invalid != 0)
        {
          if (message != NULL)
            /* Translators: %s is the network, U+%04X an invisible character's
             * code, such as U+FEFF. */
            *message = g_strdup_printf (_("%s does not accept the invisible character U+%04X; remove it from the text."),
                                        sm_network_display_name (network),
                                        invalid);
          return FALSE;
        }
    }
  else
    {
      count = sm_text_count (network, text);
    }

  limit = sm_text_limit (network);
  if (count <= limit)
    return TRUE;

  if (message != NULL)
    *message = over_limit_message (network, limit, count - limit);

  return FALSE;
}

/* A line that holds only "---" (spaces and a carriage return around it
 * allowed). */
static gboolean
is_thread_break (const char *line,
                 gsize       len)
{
  g_autofree char *copy = g_strndup (line, len);

  return g_str_equal (g_strstrip (copy), "---");
}

/**
 * sm_text_split_thread:
 * @text: a post's text, UTF-8
 *
 * Splits @text into the parts of a thread (X's option x.thread): at every
 * line that holds only "---".  Each part loses the blank space around it;
 * empty parts are dropped.
 *
 * Returns: (transfer full): the parts, in order; at least one (an empty
 *   string when @text has nothing else)
 */
GStrv
sm_text_split_thread (const char *text)
{
  g_autoptr(GStrvBuilder) parts = g_strv_builder_new ();
  g_autoptr(GString) part = g_string_new (NULL);
  const char *p = text;
  gboolean any = FALSE;

  g_return_val_if_fail (text != NULL, NULL);

  for (;;)
    {
      const char *end = strchr (p, '\n');
      gsize len = end != NULL ? (gsize) (end - p) : strlen (p);

      if (is_thread_break (p, len))
        {
          g_autofree char *done = g_strstrip (g_strdup (part->str));

          if (*done != '\0')
            {
              g_strv_builder_add (parts, done);
              any = TRUE;
            }
          g_string_truncate (part, 0);
        }
      else
        {
          g_string_append_len (part, p, len);
          if (end != NULL)
            g_string_append_c (part, '\n');
        }
      if (end == NULL)
        break;
      p = end + 1;
    }

  {
    g_autofree char *done = g_strstrip (g_strdup (part->str));

    if (*done != '\0' || !any)
      g_strv_builder_add (parts, done);
  }
  return g_strv_builder_end (parts);
}

/**
 * sm_text_check_thread:
 * @network: a network
 * @text: a post's text, UTF-8, with parts split by "---" lines
 * @message: (out) (optional) (transfer full): where to put what is wrong
 *
 * sm_text_check() for each part of sm_text_split_thread(), the message
 * naming the part that does not fit.
 *
 * Returns: %TRUE when every part fits
 */
gboolean
sm_text_check_thread (SmNetwork   network,
                      const char *text,
                      char      **message)
{
  g_auto(GStrv) parts = NULL;
  guint n;

  g_return_val_if_fail (text != NULL, FALSE);

  if (message != NULL)
    *message = NULL;
  parts = sm_text_split_thread (text);
  n = g_strv_length (parts);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *problem = NULL;

      if (sm_text_check (network, parts[i], message != NULL ? &problem : NULL))
        continue;
      if (message != NULL)
        /* Translators: "Part 2 of 3 of the thread: X allows 280 characters;
         * this text is 12 over." */
        *message = n > 1 ? g_strdup_printf (_("Part %u of %u of the thread: %s"), i + 1, n, problem)
                         : g_steal_pointer (&problem);
      return FALSE;
    }
  return TRUE;
}
