package main

import (
	"context"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientmetrics "k8s.io/client-go/tools/metrics"
	"k8s.io/client-go/util/workqueue"
)

func metaName(name, ns string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name, Namespace: ns} }

// queueMetrics exports the work queue's depth, adds, latency and retries.
type queueMetrics struct {
	depth               *prometheus.GaugeVec
	adds, retries       *prometheus.CounterVec
	latency, work       *prometheus.HistogramVec
	unfinished, longest *prometheus.GaugeVec
}

func registerQueueMetrics(reg prometheus.Registerer) {
	m := &queueMetrics{
		depth:      prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "workqueue_depth", Help: "Current depth of the work queue."}, []string{"name"}),
		adds:       prometheus.NewCounterVec(prometheus.CounterOpts{Name: "workqueue_adds_total", Help: "Adds to the work queue."}, []string{"name"}),
		retries:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "workqueue_retries_total", Help: "Rate-limited re-adds."}, []string{"name"}),
		latency:    prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "workqueue_queue_duration_seconds", Help: "Time in the queue.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}, []string{"name"}),
		work:       prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "workqueue_work_duration_seconds", Help: "Time processing an item.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}, []string{"name"}),
		unfinished: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "workqueue_unfinished_work_seconds", Help: "Work in progress."}, []string{"name"}),
		longest:    prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "workqueue_longest_running_processor_seconds", Help: "Longest running item."}, []string{"name"}),
	}
	reg.MustRegister(m.depth, m.adds, m.retries, m.latency, m.work, m.unfinished, m.longest)
	workqueue.SetProvider(m)
}

func (m *queueMetrics) NewDepthMetric(n string) workqueue.GaugeMetric {
	return m.depth.WithLabelValues(n)
}
func (m *queueMetrics) NewAddsMetric(n string) workqueue.CounterMetric {
	return m.adds.WithLabelValues(n)
}
func (m *queueMetrics) NewLatencyMetric(n string) workqueue.HistogramMetric {
	return m.latency.WithLabelValues(n)
}
func (m *queueMetrics) NewWorkDurationMetric(n string) workqueue.HistogramMetric {
	return m.work.WithLabelValues(n)
}
func (m *queueMetrics) NewUnfinishedWorkSecondsMetric(n string) workqueue.SettableGaugeMetric {
	return m.unfinished.WithLabelValues(n)
}
func (m *queueMetrics) NewLongestRunningProcessorSecondsMetric(n string) workqueue.SettableGaugeMetric {
	return m.longest.WithLabelValues(n)
}
func (m *queueMetrics) NewRetriesMetric(n string) workqueue.CounterMetric {
	return m.retries.WithLabelValues(n)
}

// clientMetrics exports client-go's request results and latencies and the time requests wait
// in the client-side rate limiter (a controller starved by --kube-api-qps shows it here).
type clientMetrics struct {
	results           *prometheus.CounterVec
	latency, throttle *prometheus.HistogramVec
}

func (m *clientMetrics) Increment(_ context.Context, code, method, _ string) {
	m.results.WithLabelValues(code, method).Inc()
}

type latencyMetric struct{ h *prometheus.HistogramVec }

func (l latencyMetric) Observe(_ context.Context, verb string, _ url.URL, d time.Duration) {
	l.h.WithLabelValues(verb).Observe(d.Seconds())
}

func registerClientMetrics(reg prometheus.Registerer) {
	m := &clientMetrics{
		results: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rest_client_requests_total",
			Help: "API requests by status code and method."}, []string{"code", "method"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "rest_client_request_duration_seconds",
			Help: "API request latency by verb.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}, []string{"verb"}),
		throttle: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "rest_client_rate_limiter_duration_seconds",
			Help: "Time requests waited in the client-side rate limiter, by verb.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}, []string{"verb"}),
	}
	reg.MustRegister(m.results, m.latency, m.throttle)
	// Without a client-side limit (--kube-api-qps <= 0, the default) nothing waits and client-go
	// observes nothing: the series exist from the start, at zero, so dashboards and alerts on
	// them still find them.
	for _, verb := range []string{"GET", "LIST", "WATCH", "POST", "PUT", "PATCH", "DELETE"} {
		m.throttle.WithLabelValues(verb)
	}
	clientmetrics.Register(clientmetrics.RegisterOpts{RequestResult: m, RequestLatency: latencyMetric{m.latency},
		RateLimiterLatency: latencyMetric{m.throttle}})
}

// leaderGauge is 1 while this replica leads (always 1 without leader election).
var leaderGauge = prometheus.NewGauge(prometheus.GaugeOpts{Name: "wasmdeploy_leader", Help: "1 while this replica is the leader."})
