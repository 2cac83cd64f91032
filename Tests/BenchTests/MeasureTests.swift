import Testing
@testable import cubicle_bench

@Suite struct MeasureTests {
    @Test func medianOfOddCountIsMiddle() {
        #expect(median([3, 1, 2]) == 2)
    }
}
