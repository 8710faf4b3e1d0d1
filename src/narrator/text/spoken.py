"""Verbalizers: numbers, dates, times, money and measures as a narrator says them.

Pure helpers used by ``normalize``; each takes the parts a pattern matched
and returns words. English only.
"""

from __future__ import annotations

from num2words import num2words

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
CURRENCIES = {"$": ("dollar", "dollars", "cent", "cents"), "US$": ("US dollar", "US dollars", "cent", "cents"),
              "A$": ("Australian dollar", "Australian dollars", "cent", "cents"),
              "C$": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
              "HK$": ("Hong Kong dollar", "Hong Kong dollars", "cent", "cents"),
              "NZ$": ("New Zealand dollar", "New Zealand dollars", "cent", "cents"),
              "S$": ("Singapore dollar", "Singapore dollars", "cent", "cents"),
              "£": ("pound", "pounds", "penny", "pence"), "€": ("euro", "euros", "cent", "cents"),
              "¥": ("yen", "yen", "", ""), "₩": ("won", "won", "", ""), "₹": ("rupee", "rupees", "paisa", "paise"),
              "CHF": ("Swiss franc", "Swiss francs", "centime", "centimes"), "CNY": ("yuan", "yuan", "", "")}
CODES = {"USD": "US$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CAD": "C$", "AUD": "A$", "HKD": "HK$",
         "NZD": "NZ$", "SGD": "S$", "CHF": "CHF", "CNY": "CNY", "AU$": "A$", "CA$": "C$", "US$": "US$"}
"""Currency codes and prefixed dollar signs, read as the currency they name."""
SCALES = {"k": "thousand", "m": "million", "mn": "million", "mln": "million", "b": "billion", "bn": "billion",
          "bln": "billion",
          "t": "trillion", "tn": "trillion", "thousand": "thousand", "million": "million",
          "billion": "billion", "trillion": "trillion"}
PER = {"mo": "month", "month": "month", "wk": "week", "week": "week", "d": "day", "day": "day",
       "hr": "hour", "h": "hour", "yr": "year", "year": "year", "min": "minute", "kg": "kilogram",
       "lb": "pound", "person": "person", "share": "share", "s": "second"}
UNITS = {  # symbol: (singular, plural); powers and case variants are derived in unit_words
    "km": ("kilometer", "kilometers"), "m": ("meter", "meters"), "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"), "kg": ("kilogram", "kilograms"), "g": ("gram", "grams"),
    "mg": ("milligram", "milligrams"), "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"), "mi": ("mile", "miles"), "ft": ("foot", "feet"), "in": ("inch", "inches"),
    "yd": ("yard", "yards"), "mph": ("mile per hour", "miles per hour"),
    "km/h": ("kilometer per hour", "kilometers per hour"), "kph": ("kilometer per hour", "kilometers per hour"),
    "kmh": ("kilometer per hour", "kilometers per hour"), "m/s": ("meter per second", "meters per second"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"), "°C": ("degree Celsius", "degrees Celsius"),
    "°": ("degree", "degrees"), "mbps": ("megabit per second", "megabits per second"),
    "gbps": ("gigabit per second", "gigabits per second"), "kb": ("kilobyte", "kilobytes"),
    "GB": ("gigabyte", "gigabytes"), "MB": ("megabyte", "megabytes"), "TB": ("terabyte", "terabytes"),
    "kW": ("kilowatt", "kilowatts"), "MW": ("megawatt", "megawatts"), "GW": ("gigawatt", "gigawatts"),
    "kWh": ("kilowatt hour", "kilowatt hours"), "MWh": ("megawatt hour", "megawatt hours"),
    "GWh": ("gigawatt hour", "gigawatt hours"), "TWh": ("terawatt hour", "terawatt hours"),
    "ha": ("hectare", "hectares"), "ml": ("milliliter", "milliliters"), "l": ("liter", "liters"),
    "L": ("liter", "liters"), "cc": ("CC", "CC"), "ms": ("millisecond", "milliseconds"),
    "sec": ("second", "seconds"), "hrs": ("hour", "hours"), "hr": ("hour", "hours"), "mins": ("minute", "minutes"),
    "kcal": ("kilocalorie", "kilocalories"), "mAh": ("milliamp hour", "milliamp hours"),
    "GHz": ("gigahertz", "gigahertz"), "MHz": ("megahertz", "megahertz"), "kHz": ("kilohertz", "kilohertz"),
    "Hz": ("hertz", "hertz"), "dB": ("decibel", "decibels"), "mmHg": ("millimeter of mercury",
                                                                       "millimeters of mercury"),
    "knots": ("knot", "knots"), "gal": ("gallon", "gallons"),
    "bbl": ("barrel", "barrels"), "t": ("tonne", "tonnes"), "mt": ("metric ton", "metric tons"),
    "hp": ("horsepower", "horsepower"), "rpm": ("revolution per minute", "revolutions per minute"),
    "psi": ("pound per square inch", "pounds per square inch"), "kV": ("kilovolt", "kilovolts"),
    "nm": ("nanometer", "nanometers"), "µm": ("micrometer", "micrometers"), "μg": ("microgram", "micrograms"),
}
POWERED = ("m", "km", "cm", "mm", "ft", "in", "mi", "yd")
"""Length units that take a power: m2, m², m^2, sq m (square); m3, m³ (cubic)."""
_CASE_EXACT = {"m", "g", "l", "L", "t", "in", "mt", "ms", "°"}
"""Units whose letter case carries meaning (m is meters, M is millions): never folded."""
_FOLDED = {k.lower(): v for k, v in UNITS.items() if k not in _CASE_EXACT}


def unit_words(symbol: str) -> tuple[str, str] | None:
    """'KG' -> ('kilogram', 'kilograms'); 'km³' -> cubic kilometers; 'ºC', '° C' -> Celsius; None if unknown."""
    key = symbol.replace("º", "°").replace("˚", "°").replace(" ", "").replace(".", "")
    power = ""
    for marks, name in ((("2", "²", "^2"), "square"), (("3", "³", "^3"), "cubic")):
        for mark in marks:
            if key.endswith(mark) and key[: -len(mark)].lower() in POWERED:
                key, power = key[: -len(mark)].lower(), name + " "
        prefix = name[:2]
        if key.lower().startswith(prefix) and key[len(prefix):].lower() in POWERED:
            key, power = key[len(prefix):].lower(), name + " "
    words = UNITS.get(key) or (_FOLDED.get(key.lower()) if key not in _CASE_EXACT else None)
    if words is None:
        return None
    if key in ("°C", "°F") or not power:
        return words
    return power + words[0], power + words[1]


MAX_CARDINAL_DIGITS = 15
"""Longer whole numbers are not quantities a listener can follow: they are read digit by digit."""
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def _clean(words: str) -> str:
    return words.replace(",", "").replace("-", " ").replace(" and ", " ")


def cardinal(text: str | int) -> str:
    """'1,800' -> 'one thousand eight hundred'; '-3.5' -> 'minus three point five'; '.5' -> 'point five'."""
    text = str(text).replace(",", "")
    if text.startswith(("-", "−")):
        return "minus " + cardinal(text[1:])
    if "." in text:
        whole, _, frac = text.partition(".")
        head = f"{cardinal(whole)} point" if whole else "point"
        return f"{head} {digits(frac)}"
    if len(text.lstrip("0")) > MAX_CARDINAL_DIGITS:
        return digits(text)
    return _clean(num2words(int(text)))


def ordinal(value: int | str) -> str:
    """3 -> 'third', 21 -> 'twenty first'."""
    return _clean(num2words(int(str(value).replace(",", "")), to="ordinal"))


def digits(text: str) -> str:
    """'123' -> 'one two three'."""
    return " ".join(ONES[int(d)] for d in text if d.isdigit())


def year(value: int) -> str:
    """2018 -> 'twenty eighteen', 1905 -> 'nineteen oh five', 2000s stay 'two thousand six'."""
    if value < 1000 or 2000 <= value <= 2009 or value % 1000 == 0:
        return cardinal(value)
    high, low = divmod(value, 100)
    if low == 0:
        return f"{cardinal(high)} hundred"
    return f"{cardinal(high)} {cardinal(low) if low >= 10 else 'oh ' + cardinal(low)}"


def short_year(text: str) -> str:
    """Two written digits of a year: '05' -> 'oh five', '21' -> 'twenty one', '00' -> 'two thousand'."""
    value = int(text)
    return "oh " + cardinal(value) if 0 < value < 10 else "two thousand" if value == 0 else cardinal(value)


def any_year(text: str) -> str:
    """A year written with two or four digits."""
    return year(int(text)) if len(text) > 2 else short_year(text)


def plural(words: str) -> str:
    """'nineteen fifty' -> 'nineteen fifties', 'two thousand' -> 'two thousands'."""
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def decade(text: str) -> str:
    """'1970' -> 'nineteen seventies', '70' -> 'seventies', '2000' -> 'two thousands'."""
    value = int(text)
    return plural(year(value) if len(text) == 4 else cardinal(value) if value else "two thousand")


def house_number(text: str) -> str:
    """Street numbers in pairs: 123 -> 'one twenty three', 1428 -> 'fourteen twenty eight'."""
    if len(text) == 3:
        return f"{ONES[int(text[0])]} {cardinal(text[1:]) if text[1] != '0' else digits(text[1:])}"
    if len(text) == 4 and text[2] != "0":
        return f"{cardinal(text[:2])} {cardinal(text[2:])}"
    return cardinal(text)


def month_name(token: str) -> str:
    """'sept.' or 'SEP' or '9' -> 'September'."""
    token = token.strip(".").lower()
    if token.isdigit():
        return MONTHS[int(token) - 1]
    return next(m for m in MONTHS if m.lower().startswith(token[:3]))


def date(month: str, day: str | None, year_text: str | None, day_first: bool = False) -> str:
    """'July', '25', '2012' -> 'July twenty fifth twenty twelve' (day first: 'the twenty fifth of July')."""
    name = month_name(month)
    words = name
    if day:
        words = f"the {ordinal(day)} of {name}" if day_first else f"{name} {ordinal(day)}"
    if year_text:
        words += " " + any_year(year_text)
    return words


def clock(hour: str, minute: str | None, second: str | None, suffix: str | None, zone: str | None) -> str:
    """'1', '59', None, 'p.m.' -> 'one fifty nine PM'; '14', '10', '30' -> hours, minutes and seconds."""
    h, m = int(hour), int(minute or 0)
    if second is not None:
        s = int(second)
        parts = [f"{cardinal(h)} hour{'s' if h != 1 else ''}", f"{cardinal(m)} minute{'s' if m != 1 else ''}"]
        words = " ".join(parts) + f" and {cardinal(s)} second{'s' if s != 1 else ''}"
    elif m:
        words = f"{cardinal(h)} {cardinal(m) if m >= 10 else 'oh ' + cardinal(m)}"
    else:
        words = cardinal(h) + ("" if suffix or zone else " o'clock")
    if suffix:
        words += " " + ("PM" if suffix.lower().startswith("p") else "AM")
    if zone:
        words += " " + zone.replace(".", "").upper()
    return words


def money(symbol: str, amount: str, scale: str | None) -> str:
    """'$', '6.99', None -> 'six dollars and ninety nine cents'; '$', '3', 'bn' -> 'three billion dollars'."""
    one, many, sub_one, sub_many = CURRENCIES[symbol]
    amount = amount.replace(",", "")
    if scale:
        return f"{cardinal(amount)} {SCALES[scale.lower()]} {many}"
    whole, _, cents = amount.partition(".")
    cents = cents + "0" if len(cents) == 1 else cents
    if cents and (len(cents) != 2 or not sub_many):
        return f"{cardinal(amount if whole else '0' + amount)} {many}"
    c = int(cents or 0)
    if int(whole or 0) == 0 and c:
        return f"{cardinal(c)} {sub_one if c == 1 else sub_many}"
    words = f"{cardinal(whole or '0')} {one if whole == '1' else many}"
    if c:
        words += f" and {cardinal(c)} {sub_one if c == 1 else sub_many}"
    return words


def amount(text: str) -> str:
    """A number, fraction or mixed number as words: '2 3/4' -> 'two and three quarters'."""
    whole, _, frac = text.rpartition(" ") if "/" in text else ("", "", text)
    if "/" in frac:
        numerator, _, denominator = frac.partition("/")
        return fraction(numerator, denominator, whole or None)
    return cardinal(frac)


def measure(quantity: str, unit: str, scale: str | None = None) -> str:
    """'12', 'kg' -> 'twelve kilograms'; '1', '°C' -> 'one degree Celsius'; '3.5', 'km', 'million'."""
    singular, plural_ = unit_words(unit) or (unit, unit)
    one = quantity in ("1", "1.0") and not scale
    head = amount(quantity) + (f" {SCALES[scale.lower()]}" if scale else "")
    return f"{head} {singular if one else plural_}"


def fraction(numerator: str, denominator: str, whole: str | None = None) -> str:
    """'1', '2' -> 'one half'; '3', '4', '2' -> 'two and three quarters'."""
    n, d = int(numerator), int(denominator)
    if d == 2:
        name = "half" if n == 1 else "halves"
    elif d == 4:
        name = "quarter" if n == 1 else "quarters"
    else:
        name = ordinal(d) + ("" if n == 1 else "s")
    head = "a" if whole and n == 1 and d == 2 else cardinal(n)
    words = f"{head} {name}"
    return f"{cardinal(whole)} and {words}" if whole else words


def roman_value(numeral: str) -> int:
    """'XIV' -> 14, 'MMXX' -> 2020; ValueError unless the numeral is well formed."""
    values = [_ROMAN[c] for c in numeral.upper()]
    total = sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    if not 0 < total < 4000 or roman(total) != numeral.upper():
        raise ValueError(f"not a Roman numeral: {numeral!r}")
    return total


def roman(value: int) -> str:
    """14 -> 'XIV'."""
    out = []
    for symbol, size in (("M", 1000), ("CM", 900), ("D", 500), ("CD", 400), ("C", 100), ("XC", 90), ("L", 50),
                         ("XL", 40), ("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1)):
        count, value = divmod(value, size)
        out.append(symbol * count)
    return "".join(out)
