package main

import (
	"context"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/wasmdeploy/wasmdeploy/controller/internal/kube"
)

// Live: besides its owner kinds the controller watches, metadata only (no specs in memory),
// what it renders into (EnvoyFilters, WasmPlugins) and the workloads it may patch. A change to
// an object it manages (a hand edit: the generation moves) requeues the owners recorded on it,
// so drift is corrected in seconds, not at the next resync; a workload appearing, or its pod
// template changing, requeues every owner in its namespace, so a Deployment created after its
// FilterDeployment is patched at once.

// watchedKinds are the kinds watched for drift and new workloads (kube.Kinds() names them).
var watchedKinds = []struct{ group, kind string }{
	{"networking.istio.io", "EnvoyFilter"},
	{"extensions.istio.io", "WasmPlugin"},
	{"apps", "Deployment"},
	{"apps", "StatefulSet"},
	{"apps", "DaemonSet"},
}

// startWatches starts the metadata informers; they are best effort (a kind whose CRD is not
// installed never syncs and is not waited for).
func (c *controller) startWatches(ctx context.Context, owners map[string]cache.SharedIndexInformer) {
	if c.meta == nil {
		return
	}
	factory := metadatainformer.NewSharedInformerFactory(c.meta, c.opts.resync)
	c.watched = map[schema.GroupVersionResource]cache.SharedIndexInformer{}
	for _, w := range watchedKinds {
		k, err := kube.KindOf(w.group, w.kind)
		if err != nil {
			continue
		}
		workload := w.group == "apps"
		inf := factory.ForResource(gvrOf(k)).Informer()
		// By owner label: prune and cleanup find what an owner applied there (fast.go).
		if err := inf.AddIndexers(cache.Indexers{ownerIndex: ownerLabels}); err != nil {
			klog.ErrorS(err, "index", "kind", w.kind)
			continue
		}
		c.watched[gvrOf(k)] = inf
		_, err = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc: func(obj interface{}) {
				if workload {
					c.requeueNamespace(obj, owners)
				}
				if m, ok := obj.(*metav1.PartialObjectMetadata); ok {
					c.requeueOrphaned(m, owners)
				}
			},
			UpdateFunc: func(old, new interface{}) {
				o, okO := old.(*metav1.PartialObjectMetadata)
				n, okN := new.(*metav1.PartialObjectMetadata)
				if !okO || !okN || o.Generation == n.Generation {
					return // status, metadata only or a resync
				}
				if workload {
					c.requeueNamespace(new, owners)
				}
				c.requeueHolders(n)
			},
			DeleteFunc: func(obj interface{}) {
				if d, is := obj.(cache.DeletedFinalStateUnknown); is {
					obj = d.Obj
				}
				if m, ok := obj.(*metav1.PartialObjectMetadata); ok {
					c.requeueHolders(m) // deleted by hand: made again
				}
			},
		})
		if err != nil {
			klog.ErrorS(err, "watch", "kind", w.kind)
		}
	}
	factory.Start(ctx.Done())
	c.watches = factory
}

// watchSyncBound is how long the workers wait for the watches to sync. A kind whose CRD is
// not installed never syncs; its objects cannot exist, and until it syncs what is applied of
// it is recorded in the owner's inventory first (fast.go: covered).
const watchSyncBound = 30 * time.Second

func (c *controller) waitForWatches(ctx context.Context) {
	deadline := time.Now().Add(watchSyncBound)
	for _, inf := range c.watched {
		for !inf.HasSynced() && time.Now().Before(deadline) && ctx.Err() == nil {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// requeueHolders queues every owner recorded on a managed object (owner annotations hold
// "Kind/namespace/name").
func (c *controller) requeueHolders(m *metav1.PartialObjectMetadata) {
	for _, h := range holdersOf(m) {
		c.queue.Add(key(h.kind, h.ns, h.name))
	}
}

// holder is an owner recorded on a managed object.
type holder struct {
	kind     ownerKind
	ns, name string
}

// holdersOf reads the owners recorded on a managed object (owner annotations hold
// "Kind/namespace/name"; kinds the controller does not reconcile are skipped).
func holdersOf(m *metav1.PartialObjectMetadata) []holder {
	var out []holder
	for k, v := range m.GetAnnotations() {
		if !strings.HasPrefix(k, kube.OwnerPrefix) {
			continue
		}
		p := strings.SplitN(v, "/", 3)
		if len(p) != 3 {
			continue
		}
		for _, ok := range ownerKinds {
			if ok.kind == p[0] {
				out = append(out, holder{ok, p[1], p[2]})
			}
		}
	}
	return out
}

// requeueOrphaned queues the owners recorded on a managed object that no longer exist: an
// owner without a finalizer deleted while the controller was down (the initial list adds every
// object), or deleted before the cache showed what it had just applied. Their reconcile
// releases the object. Existing owners are not queued: their own events cover them.
func (c *controller) requeueOrphaned(m *metav1.PartialObjectMetadata, owners map[string]cache.SharedIndexInformer) {
	for _, h := range holdersOf(m) {
		if inf := owners[h.kind.kind]; inf != nil && inf.HasSynced() {
			cacheKey := h.name
			if h.ns != "" {
				cacheKey = h.ns + "/" + h.name
			}
			if _, exists, err := inf.GetIndexer().GetByKey(cacheKey); err == nil && exists {
				continue
			}
		}
		c.queue.Add(key(h.kind, h.ns, h.name))
	}
}

// requeueNamespace queues every namespaced owner in a workload's namespace, and every
// cluster-scoped one (which may target any namespace).
func (c *controller) requeueNamespace(obj interface{}, owners map[string]cache.SharedIndexInformer) {
	m, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return
	}
	for _, ok := range ownerKinds {
		inf := owners[ok.kind]
		if inf == nil {
			continue
		}
		var items []interface{}
		if ok.clusterScoped {
			items = inf.GetStore().List()
		} else {
			items, _ = inf.GetIndexer().ByIndex(cache.NamespaceIndex, m.GetNamespace())
		}
		for _, it := range items {
			if o, is := it.(metav1.Object); is {
				c.queue.Add(key(ok, o.GetNamespace(), o.GetName()))
			}
		}
	}
}
