/// Parses event timestamps as Beats write them (`2024-05-01T12:34:56.789Z`), by hand:
/// Foundation's ISO 8601 formatter costs microseconds per call, which at hundreds of
/// thousands of events per second would be most of the ingest budget.
enum RFC3339 {
    /// Milliseconds since the epoch, or nil when `text` is not a valid RFC 3339 date-time
    /// at or after 1970 (Kafka timestamps are non-negative).
    ///
    /// Accepts `T`, `t` or a space between date and time, 0–9 fraction digits
    /// (truncated to milliseconds), and `Z`, `z`, `±HH:MM`, `±HHMM` or `±HH` zones.
    static func milliseconds(_ text: [UInt8]) -> Int64? {
        text.withUnsafeBufferPointer { milliseconds($0) }
    }

    /// The same, reading the bytes in place (no copy per event).
    static func milliseconds(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        func digits(_ count: Int) -> Int? {
            guard index + count <= text.count else { return nil }
            var value = 0
            for _ in 0..<count {
                let c = text[index]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                value = value * 10 + Int(c - 0x30)
                index += 1
            }
            return value
        }
        func skip(_ allowed: UInt8...) -> Bool {
            guard index < text.count, allowed.contains(text[index]) else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), skip(0x2D), let month = digits(2), skip(0x2D), let day = digits(2),
              skip(0x54, 0x74, 0x20),
              let hour = digits(2), skip(0x3A), let minute = digits(2), skip(0x3A), let second = digits(2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 60 else { return nil }
        var millis = 0
        if skip(0x2E) {
            var fractionDigits = 0
            while index < text.count, text[index] >= 0x30, text[index] <= 0x39 {
                if fractionDigits < 3 { millis = millis * 10 + Int(text[index] - 0x30) }
                fractionDigits += 1
                index += 1
            }
            guard (1...9).contains(fractionDigits) else { return nil }
            var scale = fractionDigits
            while scale < 3 {
                millis *= 10
                scale += 1
            }
        }
        var offsetMinutes = 0
        if skip(0x5A, 0x7A) {
            offsetMinutes = 0
        } else if index < text.count, text[index] == 0x2B || text[index] == 0x2D {
            let sign = text[index] == 0x2D ? -1 : 1
            index += 1
            guard let zoneHours = digits(2), zoneHours <= 23 else { return nil }
            var zoneMinutes = 0
            if index < text.count {
                _ = skip(0x3A)
                guard let value = digits(2), value <= 59 else { return nil }
                zoneMinutes = value
            }
            offsetMinutes = sign * (zoneHours * 60 + zoneMinutes)
        } else {
            return nil
        }
        guard index == text.count else { return nil }
        // A leap second (:60) is folded onto the next second, as most parsers do.
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        let result = seconds * 1000 + Int64(millis)
        return result >= 0 ? result : nil
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
