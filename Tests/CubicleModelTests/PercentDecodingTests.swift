import CubicleModel
import Testing

/// Percent-decoding as paths (a `+` is a `+`) and as forms (a `+` is a space) read it.
struct PercentDecodingTests {
    @Test func plusIsASpaceOnlyInForms() {
        #expect(PercentDecoding.decode("a+b%20c", plusIsSpace: false) == "a+b c")
        #expect(PercentDecoding.decode("a+b%20c", plusIsSpace: true) == "a b c")
        #expect(PercentDecoding.decode("%2B", plusIsSpace: true) == "+")
    }

    @Test func malformedEscapesStayAndInvalidUTF8IsReplaced() {
        #expect(PercentDecoding.decode("100%", plusIsSpace: false) == "100%")
        #expect(PercentDecoding.decode("%zz%4", plusIsSpace: false) == "%zz%4")
        #expect(PercentDecoding.decode("%C3%A9%ff", plusIsSpace: false) == "é\u{FFFD}")
    }
}
