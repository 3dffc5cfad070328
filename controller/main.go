// wasmdeploy-controller reconciles wasme's FilterDeployments (wasme.io/v1) and WasmDeployments
// (wasmdeploy.io/v1alpha1): it renders them through libwasmdeploy_c for the cluster's Istio
// version, applies the result server-side under its own field managers, prunes what a new
// render no longer contains, and on deletion removes what it made and restores the workloads.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/client-go/tools/record"
	"k8s.io/klog/v2"

	"github.com/wasmdeploy/wasmdeploy/controller/internal/kube"
	"github.com/wasmdeploy/wasmdeploy/controller/internal/wasmdeploy"
)

// controllerVersion is set at link time (-ldflags -X main.controllerVersion=...).
var controllerVersion = "dev"

func newLimiter() *rate.Limiter { return rate.NewLimiter(rate.Limit(50), 300) }

func main() {
	var (
		kubeconfig  = flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig file (default: in-cluster config)")
		saDir       = flag.String("service-account-dir", defaultServiceAccountDir, "in-cluster config: directory holding the service-account token and ca.crt")
		istio       = flag.String("istio", "", "Istio version to render for (default: the tag of istiod's discovery image)")
		istiodName  = flag.String("istiod-name", "istiod", "istiod Deployment name (revisioned installs: istiod-<rev>)")
		workers     = flag.Int("workers", 16, "reconciles running at once (each makes one API request at a time: this bounds the controller's concurrency)")
		resync      = flag.Duration("resync", 10*time.Minute, "re-reconcile every object this often (new workloads, drift)")
		metricsAddr = flag.String("metrics-bind-address", "127.0.0.1:8080", "address of /metrics and /healthz; \"0\" disables")
		leaderElect = flag.Bool("leader-elect", false, "hold a Lease so only one replica reconciles")
		leNamespace = flag.String("leader-election-namespace", "wasmdeploy-system", "namespace of the Lease")
		leName      = flag.String("leader-election-id", kube.ControllerName, "name of the Lease")
		leaseDur    = flag.Duration("leader-elect-lease-duration", 15*time.Second, "Lease duration")
		renewDur    = flag.Duration("leader-elect-renew-deadline", 10*time.Second, "Lease renew deadline")
		retryDur    = flag.Duration("leader-elect-retry-period", 2*time.Second, "Lease retry period")
		qps         = flag.Float64("kube-api-qps", -1, "client QPS to the API server; negative: no client-side limit (the API server's Priority and Fairness limits, --workers bounds concurrency)")
		burst       = flag.Int("kube-api-burst", 100, "client burst to the API server (with a positive --kube-api-qps)")
		rootNS      = flag.String("istio-root-namespace", "istio-system", "Istio's config root namespace (meshConfig.rootNamespace): namespaced objects may not act there")
		nodeCacheNS = flag.String("node-cache-namespaces", "", "comma-separated namespaces whose objects may use the wasme node cache (a hostPath DaemonSet); ClusterWasmDeployments always may")
		showVersion = flag.Bool("version", false, "print the controller's and the library's version and exit")
		registry    = registryFlags()
	)
	klog.InitFlags(nil)
	flag.Parse()
	if *showVersion {
		fmt.Printf("wasmdeploy-controller %s (libwasmdeploy %s)\n", controllerVersion, wasmdeploy.Version())
		return
	}
	cacheNamespaces := map[string]bool{}
	for _, ns := range strings.Split(*nodeCacheNS, ",") {
		if ns = strings.TrimSpace(ns); ns != "" {
			cacheNamespaces[ns] = true
		}
	}
	registryOpts, err := registry.options(*leNamespace)
	if err != nil {
		klog.ErrorS(err, "bad registry flag")
		os.Exit(2)
	}
	if *istio != "" {
		if err := wasmdeploy.CheckIstio(*istio); err != nil {
			klog.ErrorS(err, "bad --istio")
			os.Exit(2)
		}
	}

	var cfg *rest.Config
	if *kubeconfig != "" {
		cfg, err = clientcmd.BuildConfigFromFlags("", *kubeconfig)
	} else {
		cfg, err = inClusterConfig(*saDir)
	}
	if err != nil {
		klog.ErrorS(err, "no API server configuration")
		os.Exit(1)
	}
	cfg.QPS, cfg.Burst = float32(*qps), *burst
	cfg.UserAgent = kube.ControllerName
	dyn := dynamic.NewForConfigOrDie(cfg)
	kc := kubernetes.NewForConfigOrDie(cfg)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registerQueueMetrics(reg)
	registerClientMetrics(reg)
	reg.MustRegister(leaderGauge)

	broadcaster := record.NewBroadcaster(record.WithContext(ctx))
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: kc.CoreV1().Events("")})
	recorder := broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: kube.ControllerName})

	metaClient := metadata.NewForConfigOrDie(cfg)
	c := newController(options{istio: *istio, istiodName: *istiodName, workers: *workers, resync: *resync,
		rootNamespace: *rootNS, nodeCacheNamespaces: cacheNamespaces, registry: registryOpts}, dyn, kc, recorder, reg)
	c.meta = metaClient
	// /healthz fails when the leader has not renewed its Lease in time (the adaptor's grace);
	// /readyz says whether this replica leads and its caches have synced.
	leaderHealth := leaderelection.NewLeaderHealthzAdaptor(5 * time.Second)

	var srv *http.Server
	if *metricsAddr != "0" {
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
			if err := leaderHealth.Check(r); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			_, _ = w.Write([]byte("ok\n"))
		})
		mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
			if !c.ready.Load() {
				http.Error(w, "not leading, or caches not synced", http.StatusServiceUnavailable)
				return
			}
			_, _ = w.Write([]byte("ok\n"))
		})
		ln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			klog.ErrorS(err, "metrics listener")
			os.Exit(1)
		}
		klog.InfoS("serving metrics", "address", ln.Addr().String())
		srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				klog.ErrorS(err, "metrics server")
			}
		}()
	}
	klog.InfoS("starting", "library", wasmdeploy.Version(), "istio", *istio)

	var runErr error
	if *leaderElect {
		id, _ := os.Hostname()
		id = id + "_" + time.Now().Format("150405.000000")
		lock := &resourcelock.LeaseLock{
			LeaseMeta:  metaName(*leName, *leNamespace),
			Client:     kc.CoordinationV1(),
			LockConfig: resourcelock.ResourceLockConfig{Identity: id, EventRecorder: recorder},
		}
		// ReleaseOnCancel: a graceful stop hands the Lease over at once instead of after
		// LeaseDuration.
		leaderelection.RunOrDie(ctx, leaderelection.LeaderElectionConfig{
			Lock: lock, ReleaseOnCancel: true, Name: *leName, WatchDog: leaderHealth,
			LeaseDuration: *leaseDur, RenewDeadline: *renewDur, RetryPeriod: *retryDur,
			Callbacks: leaderelection.LeaderCallbacks{
				OnStartedLeading: func(lctx context.Context) {
					klog.InfoS("leading", "identity", id)
					leaderGauge.Set(1)
					defer leaderGauge.Set(0)
					runErr = c.run(lctx)
				},
				OnStoppedLeading: func() {
					if ctx.Err() == nil {
						// Lost, not handed over: another replica may lead already, so stop at
						// once (in-flight requests may hang on the API that caused it) with a
						// non-zero code for the kubelet to restart us as a candidate.
						klog.ErrorS(nil, "leader election lost", "identity", id)
						klog.Flush()
						os.Exit(1)
					}
					klog.InfoS("leadership ended", "identity", id)
				},
			},
		})
		// RunOrDie returns when the context ends (SIGTERM) or when the Lease was lost (an API
		// outage longer than the renew deadline): the latter must restart the process, since
		// another replica may lead now.
		if ctx.Err() == nil && runErr == nil {
			runErr = errors.New("leader election lost")
		}
	} else {
		leaderGauge.Set(1)
		runErr = c.run(ctx)
	}
	broadcaster.Shutdown()
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = srv.Shutdown(sctx)
		cancel()
	}
	if runErr != nil {
		klog.ErrorS(runErr, "controller stopped")
		os.Exit(1)
	}
	klog.InfoS("stopped")
}
