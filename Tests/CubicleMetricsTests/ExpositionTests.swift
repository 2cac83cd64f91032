import CubicleMetrics
import Testing

/// The registry's text output, byte for byte against hand-written exposition format 0.0.4.
@Suite struct ExpositionTests {
    @Test func countersAndGaugesRenderHelpTypeAndSortedLabelledLines() {
        let registry = MetricsRegistry()
        let jobs = registry.counter("cubicle_jobs_total", help: "Jobs finished.", labels: ["action", "result"])
        jobs.labels("start", "succeeded").increment()
        jobs.labels("provision", "failed").increment(by: 2)
        jobs.labels("provision", "succeeded").increment(by: 40)
        let active = registry.gauge("cubicle_shell_sessions_active", help: "Shells open now.")
        active.labels().increment()
        active.labels().increment()
        active.labels().decrement()
        #expect(registry.render() == """
            # HELP cubicle_jobs_total Jobs finished.
            # TYPE cubicle_jobs_total counter
            cubicle_jobs_total{action="provision",result="failed"} 2
            cubicle_jobs_total{action="provision",result="succeeded"} 40
            cubicle_jobs_total{action="start",result="succeeded"} 1
            # HELP cubicle_shell_sessions_active Shells open now.
            # TYPE cubicle_shell_sessions_active gauge
            cubicle_shell_sessions_active 1

            """)
    }

    @Test func histogramBucketsAreCumulativeWithInfSumAndCount() {
        let registry = MetricsRegistry()
        let durations = registry.histogram("op_seconds", help: "Op time.", labels: ["action"], bounds: [1, 0.25, 2.5])
        let child = durations.labels("provision")
        for value in [0.1, 0.25, 0.3, 2, 7.5] { child.observe(value) }
        #expect(registry.render() == """
            # HELP op_seconds Op time.
            # TYPE op_seconds histogram
            op_seconds_bucket{action="provision",le="0.25"} 2
            op_seconds_bucket{action="provision",le="1"} 3
            op_seconds_bucket{action="provision",le="2.5"} 4
            op_seconds_bucket{action="provision",le="+Inf"} 5
            op_seconds_sum{action="provision"} 10.15
            op_seconds_count{action="provision"} 5

            """)
    }

    @Test func labelValuesEscapeBackslashQuoteAndNewlineAndHelpEscapesBackslashAndNewline() {
        let registry = MetricsRegistry()
        let family = registry.counter("weird_total", help: "Line one\nback\\slash \"quoted\"", labels: ["v"])
        family.labels("a\\b\"c\nd").increment()
        #expect(registry.render() == #"""
            # HELP weird_total Line one\nback\\slash "quoted"
            # TYPE weird_total counter
            weird_total{v="a\\b\"c\nd"} 1

            """#)
    }

    @Test func unusedLabelledFamiliesAreOmittedAndUnlabelledOnesShowZero() {
        let registry = MetricsRegistry()
        _ = registry.counter("never_total", help: "Unused.", labels: ["x"])
        let plain = registry.counter("plain_total", help: "Plain.")
        _ = plain.labels()
        #expect(registry.render() == "# HELP plain_total Plain.\n# TYPE plain_total counter\nplain_total 0\n")
    }

    @Test func registeringTheSameFamilyTwiceSharesIt() {
        let registry = MetricsRegistry()
        registry.counter("shared_total", help: "Shared.", labels: ["k"]).labels("v").increment()
        registry.counter("shared_total", help: "Shared.", labels: ["k"]).labels("v").increment()
        #expect(registry.counter("shared_total", help: "Shared.", labels: ["k"]).labels("v").value == 2)
        #expect(registry.render().split(separator: "\n").filter { $0.hasPrefix("# TYPE shared_total") }.count == 1)
    }

    @Test func collectorsRenderAfterRegisteredFamiliesAndSkipEmptyOnes() {
        let registry = MetricsRegistry()
        registry.addCollector {
            [
                .init(name: "empty", help: "None.", type: .gauge, samples: []),
                .init(name: "cubicle_workspaces", help: "By status.", type: .gauge, samples: [
                    .init(labels: [("status", "Running")], value: 3), .init(labels: [("status", "Stopped")], value: 0),
                ]),
            ]
        }
        registry.gauge("first", help: "First.").labels().set(-4)
        #expect(registry.render() == """
            # HELP first First.
            # TYPE first gauge
            first -4
            # HELP cubicle_workspaces By status.
            # TYPE cubicle_workspaces gauge
            cubicle_workspaces{status="Running"} 3
            cubicle_workspaces{status="Stopped"} 0

            """)
    }

    @Test func valuesFormatAsPrometheusParsesThem() {
        #expect(ExpositionWriter.format(3) == "3")
        #expect(ExpositionWriter.format(-0.5) == "-0.5")
        #expect(ExpositionWriter.format(0.005) == "0.005")
        #expect(ExpositionWriter.format(1e-9) == "1e-09")
        #expect(ExpositionWriter.format(.infinity) == "+Inf")
        #expect(ExpositionWriter.format(-.infinity) == "-Inf")
        #expect(ExpositionWriter.format(.nan) == "NaN")
        #expect(ExpositionWriter.format(1e20) == "1e+20")
    }

    @Test func namesAreValidatedAsTheFormatDefinesThem() {
        #expect(ExpositionWriter.isValidMetricName("cubicle:jobs_total"))
        #expect(!ExpositionWriter.isValidMetricName("9lives"))
        #expect(!ExpositionWriter.isValidMetricName("has-dash"))
        #expect(!ExpositionWriter.isValidMetricName(""))
        #expect(ExpositionWriter.isValidLabelName("_ok"))
        #expect(!ExpositionWriter.isValidLabelName("__reserved"))
        #expect(!ExpositionWriter.isValidLabelName("a:b"))
    }

    @Test func histogramIgnoresNaNAndCountsInfinityInTheLastBucket() {
        let histogram = Histogram(bounds: [1])
        histogram.observe(.nan)
        histogram.observe(.infinity)
        histogram.observe(1)
        let snapshot = histogram.snapshot()
        #expect(snapshot.cumulative == [1, 2])
        #expect(snapshot.count == 2)
    }

    @Test func countersIgnoreNegativeAmounts() {
        let counter = Counter()
        counter.increment(by: -5)
        counter.increment(by: 7)
        #expect(counter.value == 7)
    }
}
