package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	"github.com/wasmdeploy/wasmdeploy/controller/internal/kube"
	"github.com/wasmdeploy/wasmdeploy/controller/internal/wasmdeploy"
)

// ownerKind is a kind the controller reconciles.
type ownerKind struct {
	kind, plural string
	gvr          schema.GroupVersionResource
	// clusterScoped: a ClusterWasmDeployment, which only a cluster admin can create, is not
	// confined to one namespace (see internal/kube/tenancy.go).
	clusterScoped bool
}

var ownerKinds = []ownerKind{
	{"FilterDeployment", "filterdeployments", schema.GroupVersionResource{Group: "wasme.io", Version: "v1", Resource: "filterdeployments"}, false},
	{"WasmDeployment", "wasmdeployments", schema.GroupVersionResource{Group: "wasmdeploy.io", Version: "v1alpha1", Resource: "wasmdeployments"}, false},
	{"ClusterWasmDeployment", "clusterwasmdeployments", schema.GroupVersionResource{Group: "wasmdeploy.io", Version: "v1alpha1", Resource: "clusterwasmdeployments"}, true},
}

type options struct {
	istio, istiodName string
	workers           int
	resync            time.Duration
	// rootNamespace is Istio's config root namespace; nodeCacheNamespaces may use the wasme
	// node cache (hostPath), which only a ClusterWasmDeployment may otherwise.
	rootNamespace       string
	nodeCacheNamespaces map[string]bool
	registry            registryOptions // resolve.go
}

// policy is what an owner object may do (internal/kube/tenancy.go).
func (c *controller) policy(kind ownerKind, ns string) kube.Policy {
	if kind.clusterScoped {
		return kube.Policy{RootNamespace: c.opts.rootNamespace, NodeCache: true}
	}
	return kube.Policy{Namespace: ns, RootNamespace: c.opts.rootNamespace, NodeCache: c.opts.nodeCacheNamespaces[ns]}
}

type controller struct {
	opts     options
	dyn      dynamic.Interface
	meta     metadata.Interface // the live watches (live.go); nil: none
	watches  metadatainformer.SharedInformerFactory
	kube     kubernetes.Interface
	recorder record.EventRecorder
	queue    workqueue.TypedRateLimitingInterface[string]

	// Owners whose finalizer this controller removed after cleaning up: their final delete
	// event needs no second, cluster-wide sweep.
	finalized sync.Map

	resolver *resolver // resolve.go

	meshMu    sync.Mutex
	meshCache map[string]meshEntry

	// The informers: owners by kind, watched objects by resource (fast.go reads both).
	owners  map[string]cache.SharedIndexInformer
	watched map[schema.GroupVersionResource]cache.SharedIndexInformer
	mem     memories

	// ready: leading and caches synced (/readyz).
	ready atomic.Bool

	reconciles *prometheus.CounterVec
	duration   *prometheus.HistogramVec
}

type meshEntry struct {
	version string
	err     error
	at      time.Time
}

func newController(opts options, dyn dynamic.Interface, kc kubernetes.Interface, recorder record.EventRecorder, reg prometheus.Registerer) *controller {
	c := &controller{
		opts: opts, dyn: dyn, kube: kc, recorder: recorder,
		// Per-item exponential backoff (5 ms doubling to 5 min) under an overall token bucket;
		// keys are deduplicated, so the queue holds at most one entry per object.
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.NewTypedMaxOfRateLimiter(
				workqueue.NewTypedItemExponentialFailureRateLimiter[string](5*time.Millisecond, 5*time.Minute),
				&workqueue.TypedBucketRateLimiter[string]{Limiter: newLimiter()},
			),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "wasmdeploy"}),
		meshCache: map[string]meshEntry{},
		resolver:  newResolver(),
		reconciles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wasmdeploy_reconcile_total", Help: "Reconciles by kind and result (ok, refused, error)."}, []string{"kind", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "wasmdeploy_reconcile_duration_seconds", Help: "Time per reconcile.", Buckets: prometheus.DefBuckets}, []string{"kind"}),
	}
	reg.MustRegister(c.reconciles, c.duration)
	return c
}

func key(kind ownerKind, ns, name string) string { return kind.kind + "|" + ns + "/" + name }

func splitKey(k string) (ownerKind, string, string, error) {
	bar := strings.IndexByte(k, '|')
	slash := strings.IndexByte(k, '/')
	if bar < 0 || slash < bar {
		return ownerKind{}, "", "", fmt.Errorf("bad key %q", k)
	}
	for _, ok := range ownerKinds {
		if ok.kind == k[:bar] {
			return ok, k[bar+1 : slash], k[slash+1:], nil
		}
	}
	return ownerKind{}, "", "", fmt.Errorf("unknown kind in key %q", k)
}

// run starts the informers and workers and blocks until ctx ends, then drains the queue.
func (c *controller) run(ctx context.Context) error {
	factory := dynamicinformer.NewDynamicSharedInformerFactory(c.dyn, c.opts.resync)
	var synced []cache.InformerSynced
	owners := map[string]cache.SharedIndexInformer{}
	for _, ok := range ownerKinds {
		ok := ok
		inf := factory.ForResource(ok.gvr).Informer()
		owners[ok.kind] = inf
		enqueue := func(obj interface{}) {
			if d, is := obj.(cache.DeletedFinalStateUnknown); is {
				obj = d.Obj
			}
			if u, is := obj.(*unstructured.Unstructured); is {
				c.queue.Add(key(ok, u.GetNamespace(), u.GetName()))
			}
		}
		if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc: enqueue,
			UpdateFunc: func(old, new interface{}) {
				// Status writes come back as updates: only spec, metadata changes and resyncs matter.
				o, n := old.(*unstructured.Unstructured), new.(*unstructured.Unstructured)
				if o.GetResourceVersion() == n.GetResourceVersion() || o.GetGeneration() != n.GetGeneration() ||
					n.GetDeletionTimestamp() != nil ||
					o.GetAnnotations()[kube.AnnotationSha256] != n.GetAnnotations()[kube.AnnotationSha256] ||
					o.GetAnnotations()[kube.AnnotationModuleSha256] != n.GetAnnotations()[kube.AnnotationModuleSha256] {
					enqueue(new)
				}
			},
			DeleteFunc: enqueue,
		}); err != nil {
			return err
		}
		synced = append(synced, inf.HasSynced)
	}
	c.owners = owners
	factory.Start(ctx.Done())
	c.startWatches(ctx, owners)
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		return fmt.Errorf("informer caches did not sync")
	}
	c.waitForWatches(ctx)
	klog.InfoS("caches synced; starting workers", "workers", c.opts.workers)
	c.ready.Store(true)
	defer c.ready.Store(false)
	var wg sync.WaitGroup
	for i := 0; i < c.opts.workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c.next(ctx) {
			}
		}()
	}
	<-ctx.Done()
	klog.InfoS("shutting down: finishing reconciles in progress")
	c.queue.ShutDownWithDrain()
	wg.Wait()
	factory.Shutdown()
	if c.watches != nil {
		c.watches.Shutdown()
	}
	return nil
}

func (c *controller) next(ctx context.Context) bool {
	k, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(k)
	kind, ns, name, err := splitKey(k)
	if err != nil {
		c.queue.Forget(k)
		return true
	}
	start := time.Now()
	// A reconcile in progress at shutdown still finishes against the API server, bounded.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	err = c.reconcile(rctx, kind, ns, name)
	cancel()
	c.duration.WithLabelValues(kind.kind).Observe(time.Since(start).Seconds())
	if err != nil {
		c.reconciles.WithLabelValues(kind.kind, "error").Inc()
		klog.ErrorS(err, "reconcile failed; will retry", "key", k, "retries", c.queue.NumRequeues(k))
		if ctx.Err() == nil {
			c.queue.AddRateLimited(k)
		}
		return true
	}
	c.reconciles.WithLabelValues(kind.kind, "ok").Inc()
	c.queue.Forget(k)
	return true
}

// meshVersion is --istio, else the tag of istiod's discovery container (cached briefly). A
// spec's own istio field is honoured: it is used when the mesh version cannot be read, and
// refused when it names another minor release than the mesh runs. A tag that is not an Istio
// version the library knows is refused (not retried): only a change fixes it.
func (c *controller) meshVersion(ctx context.Context, istioNS, specIstio string) (string, error) {
	if specIstio != "" {
		if err := wasmdeploy.CheckIstio(specIstio); err != nil {
			return "", refused(err)
		}
	}
	if c.opts.istio != "" {
		return c.opts.istio, sameMinor(c.opts.istio, specIstio, "--istio")
	}
	c.meshMu.Lock()
	e, ok := c.meshCache[istioNS]
	c.meshMu.Unlock()
	if !ok || time.Since(e.at) > 30*time.Second {
		e = meshEntry{at: time.Now()}
		d, err := c.kube.AppsV1().Deployments(istioNS).Get(ctx, c.opts.istiodName, metav1.GetOptions{})
		if err != nil {
			e.err = fmt.Errorf("reading Deployment %s/%s for the Istio version: %w", istioNS, c.opts.istiodName, err)
		} else {
			e.err = &refusal{&wasmdeploy.Error{Code: -2, ID: "controller.istio-version", Path: "istio",
				Message: fmt.Sprintf("[controller.istio-version] Deployment %s/%s has no container named discovery", istioNS, c.opts.istiodName)}}
			for _, ct := range d.Spec.Template.Spec.Containers {
				if ct.Name == "discovery" {
					e.version, e.err = kube.IstioVersionFromImage(ct.Image)
					if e.err != nil {
						e.err = &refusal{&wasmdeploy.Error{Code: -2, ID: "controller.istio-version", Path: "istio",
							Message: "[controller.istio-version] " + e.err.Error()}}
					}
				}
			}
		}
		if e.err == nil {
			if err := wasmdeploy.CheckIstio(e.version); err != nil {
				e.version, e.err = "", refused(err)
			}
		}
		c.meshMu.Lock()
		c.meshCache[istioNS] = e
		c.meshMu.Unlock()
	}
	if e.err != nil && specIstio != "" {
		var r *refusal
		if !errors.As(e.err, &r) {
			return specIstio, nil // istiod unreadable: the spec says which release to render for
		}
	}
	if e.err != nil {
		return "", e.err
	}
	return e.version, sameMinor(e.version, specIstio, "istiod's image")
}

// sameMinor refuses a spec whose istio field names another minor release than the mesh runs.
func sameMinor(mesh, spec, source string) error {
	minor := func(v string) string {
		p := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
		if len(p) < 2 {
			return v
		}
		return p[0] + "." + p[1]
	}
	if spec == "" || minor(mesh) == minor(spec) {
		return nil
	}
	return &refusal{&wasmdeploy.Error{Code: -2, ID: "controller.istio-mismatch", Path: "istio",
		Message: fmt.Sprintf("[controller.istio-mismatch] istio: the spec says Istio %s but the mesh runs %s (from %s)", spec, mesh, source)}}
}

func (c *controller) event(obj *unstructured.Unstructured, typ, reason, msg string) {
	if len(msg) > 1024 {
		msg = msg[:1024]
	}
	c.recorder.Event(obj, typ, reason, msg)
}
