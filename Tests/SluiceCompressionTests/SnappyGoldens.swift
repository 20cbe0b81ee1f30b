import Foundation

/// Encodings made by other snappy implementations, for `SnappyCodecTests`: the same
/// 3,104-byte input (`SnappyGoldens.text`) compressed by python-snappy 0.7.3 as raw
/// snappy (literals of every length form, 2-byte-offset copies), and `text` three
/// times over by kafka-python's xerial framing with 4 KiB blocks, as its producer
/// writes batches.
enum SnappyGoldens {
    static let text: [UInt8] = Array(String(repeating: "Sluice stores Kafka record batches as they arrived. ", count: 40).utf8)
        + (0..<1024).map { UInt8(truncatingIfNeeded: $0) }

    static let pythonSnappyRaw = decode("""
        oBjQU2x1aWNlIHN0b3JlcyBLYWZrYSByZWNvcmQgYmF0Y2hlcyBhcyB0aGV5IGFycml2ZWQuIFP+NAD+NAD+NAD+NAD+NAD+NAD+\
        NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NACq\
        NAD0BQEAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/QEFCQ0RF\
        RkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoOEhYaHiImKi4yNjo+Q\
        kZKTlJWWl5iZmpucnZ6foKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vr/AwcLDxMXGx8jJysvMzc7P0NHS09TV1tfY2drb\
        3N3e3+Dh4uPk5ebn6Onq6+zt7u/w8fLz9PX29/j5+vv8/f7/AAECAwQF/gAB/gAB/gAB/gAB/gAB/gAB/gAB/gAB/gAB/gAB/gAB\
        5gAB
        """)

    static let kafkaPythonXerial = decode("""
        glNOQVBQWQAAAAABAAAAAQAAAfWAINBTbHVpY2Ugc3RvcmVzIEthZmthIHJlY29yZCBiYXRjaGVzIGFzIHRoZXkgYXJyaXZlZC4g\
        U/40AP40AP40AP40AP40AP40AP40AP40AP40AP40AP40AP40AP40AP40AP40AP40AP40AP40AP40AP40AP40AP40AP40AP40AP40\
        AP40AP40AP40AP40AP40AP40AKo0APQFAQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAx\
        MjM0NTY3ODk6Ozw9Pj9AQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2BhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8\
        fX5/gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXmJmam5ydnp+goaKjpKWmp6ipqqusra6vsLGys7S1tre4ubq7vL2+v8DBwsPExcbH\
        yMnKy8zNzs/Q0dLT1NXW19jZ2tvc3d7f4OHi4+Tl5ufo6err7O3u7/Dx8vP09fb3+Pn6+/z9/v8AAQIDBAX+AAH+AAH+AAH+AAH+\
        AAH+AAH+AAH+AAH+AAH+AAH+AAHmAAH+IAz+IAz+IAz+IAz+IAz+IAz+IAz+IAz+IAz+IAz+IAz+IAz+IAz+IAz+IAx+IAwAAAH5\
        gCDQY2Ugc3RvcmVzIEthZmthIHJlY29yZCBiYXRjaGVzIGFzIHRoZXkgYXJyaXZlZC4gU2x1aWP+NAD+NAD+NAD+NAD+NAD+NAD+\
        NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAD+NAAdNPQFAQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJico\
        KSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9AQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2BhYmNkZWZnaGlqa2xtbm9wcXJz\
        dHV2d3h5ent8fX5/gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXmJmam5ydnp+goaKjpKWmp6ipqqusra6vsLGys7S1tre4ubq7vL2+\
        v8DBwsPExcbHyMnKy8zNzs/Q0dLT1NXW19jZ2tvc3d7f4OHi4+Tl5ufo6err7O3u7/Dx8vP09fb3+Pn6+/z9/v8AAQIDBAX+AAH+\
        AAH+AAH+AAH+AAH+AAH+AAH+AAH+AAH+AAH+AAHmAAEAU/4QCP4QCP4QCP4QCP4QCP4QCP4QCP4QCP4QCP4QCP4QCP4QCP4QCP4Q\
        CP4QCP4QCDoQCP4QBP4QBP4QBP4QBP4QBP4QBP4QBP4QBP4QBP4QBP4QBP4QBP4QBP4QBL4QBAAAAWjgCNB0b3JlcyBLYWZrYSBy\
        ZWNvcmQgYmF0Y2hlcyBhcyB0aGV5IGFycml2ZWQuIFNsdWljZSBzdKo0APQFAQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhsc\
        HR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9AQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2BhYmNkZWZn\
        aGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXmJmam5ydnp+goaKjpKWmp6ipqqusra6vsLGy\
        s7S1tre4ubq7vL2+v8DBwsPExcbHyMnKy8zNzs/Q0dLT1NXW19jZ2tvc3d7f4OHi4+Tl5ufo6err7O3u7/Dx8vP09fb3+Pn6+/z9\
        /v8AAQIDBAX+AAH+AAH+AAH+AAH+AAH+AAH+AAH+AAH+AAH+AAH+AAHmAAE=
        """)

    private static func decode(_ base64: String) -> [UInt8] { [UInt8](Data(base64Encoded: base64)!) }
}
