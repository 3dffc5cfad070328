package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wasmdeploy/wasmdeploy/controller/internal/kube"
	"github.com/wasmdeploy/wasmdeploy/controller/internal/wasmdeploy"
)

// Registry resolution (issue 23): an object naming an oci:// module (a FilterDeployment's
// image is one) without pinning it (no sha256 / moduleSha256, no wasmdeploy.io/sha256 or
// module-sha256 annotation) is resolved at its registry through the library's resolve stage
// (wd_resolve_image: manifest digest and the .wasm's sha256, every digest verified), and the
// render gets both, as if the user had annotated them. A tag is resolved again every
// --registry-resolve-interval, so a same-tag push (solo-io/wasm #98, #233) is picked up. Nothing
// else reaches the network: a plain render stays offline.
//
// Credentials come from a pull secret named by the object (WasmDeployment
// filters[].imagePullSecret, FilterDeployment spec.filter.imagePullOptions.pullSecret), read by
// name in the object's own namespace only, as istiod does for WasmPlugin.imagePullSecret
// (pilot/pkg/model/credentials: the WasmPlugin's namespace). A ClusterWasmDeployment's secrets
// are read in the controller's namespace (--leader-election-namespace).

// registryOptions are the controller's registry flags.
type registryOptions struct {
	caFile       string
	mirrors      map[string]string // registry host -> host actually asked (a pull-through mirror)
	allowedHosts map[string]bool   // empty: any
	timeout      time.Duration     // per request; connect is bounded by min(timeout, 10 s)
	retries      int
	maxBlobBytes uint64
	interval     time.Duration // a tag is resolved again this often
	ownNamespace string        // ClusterWasmDeployments' pull secrets
}

// resolveFailure is a registry or pull-secret failure: reported as the Resolved condition
// with its code, retried after a backoff (the tag may be pushed, the secret created), never a
// refusal and never a crash.
type resolveFailure struct {
	code, path, message string
}

func (f *resolveFailure) Error() string { return fmt.Sprintf("[%s] %s: %s", f.code, f.path, f.message) }

type resolvedEntry struct {
	image wasmdeploy.ResolvedImage
	at    time.Time
}

// resolver caches resolutions per namespace, reference and credentials, and counts failures
// per owner for the retry backoff.
type resolver struct {
	mu      sync.Mutex
	cache   map[string]resolvedEntry
	fails   map[string]int
	reports map[string]resolution
}

// maxResolvedEntries bounds the cache (one entry per namespace, reference and credentials).
const maxResolvedEntries = 10000

func newResolver() *resolver {
	return &resolver{cache: map[string]resolvedEntry{}, fails: map[string]int{}, reports: map[string]resolution{}}
}

// moduleToResolve is one filter of an owner whose oci:// module the render needs digests for.
type moduleToResolve struct {
	index      int
	path       string // field path of the module, for messages
	reference  string // oci://...
	pullSecret string
}

// resolved is what resolution gave an owner: digests by filter index, and whether any came
// from a tag (then the owner is reconciled again after the interval).
type resolved struct {
	digests map[int]wasmdeploy.ResolvedImage
	notes   []string
	tag     bool
}

// resolveModules resolves each module of an owner; the first failure stops it.
func (c *controller) resolveModules(ctx context.Context, owner kube.Owner, clusterScoped bool, mods []moduleToResolve) (resolved, error) {
	out := resolved{digests: map[int]wasmdeploy.ResolvedImage{}}
	for _, m := range mods {
		img, tag, err := c.resolveModule(ctx, owner, clusterScoped, m)
		if err != nil {
			return out, err
		}
		out.digests[m.index] = img
		out.tag = out.tag || tag
		out.notes = append(out.notes, fmt.Sprintf("%s %s -> %s (module sha256 %s)", m.path, m.reference, img.ManifestDigest, img.ModuleSha256))
	}
	return out, nil
}

func (c *controller) resolveModule(ctx context.Context, owner kube.Owner, clusterScoped bool, m moduleToResolve) (wasmdeploy.ResolvedImage, bool, error) {
	o := c.opts.registry
	host, rest, tag := splitReference(m.reference)
	if len(o.allowedHosts) > 0 && !o.allowedHosts[host] {
		return wasmdeploy.ResolvedImage{}, false, &resolveFailure{"controller.registry-host", m.path,
			fmt.Sprintf("registry %s is not in --registry-hosts (%s)", host, strings.Join(kube.SortedKeys(o.allowedHosts), ", "))}
	}
	asked := m.reference
	if mirror, ok := o.mirrors[host]; ok {
		asked = "oci://" + mirror + "/" + rest
	}
	ns := owner.Namespace
	if clusterScoped {
		ns = o.ownNamespace
	}
	var config []byte
	if m.pullSecret != "" {
		var err error
		if config, err = c.pullSecret(ctx, ns, m.pullSecret, m.path); err != nil {
			return wasmdeploy.ResolvedImage{}, false, err
		}
	}
	sum := sha256.Sum256(config)
	cacheKey := ns + "\x00" + asked + "\x00" + hex.EncodeToString(sum[:])
	c.resolver.mu.Lock()
	e, ok := c.resolver.cache[cacheKey]
	c.resolver.mu.Unlock()
	// A digest reference never changes; a tag is asked again after the interval.
	if ok && (!tag || time.Since(e.at) < o.interval) {
		return e.image, tag, nil
	}
	if err := ctx.Err(); err != nil {
		return wasmdeploy.ResolvedImage{}, tag, err
	}
	connect := o.timeout
	if connect > 10*time.Second {
		connect = 10 * time.Second
	}
	img, err := wasmdeploy.ResolveImage(asked, wasmdeploy.RegistryOptions{
		DockerConfigJSON: config, CAFile: o.caFile, ConnectTimeout: connect, RequestTimeout: o.timeout,
		Retries: o.retries, MaxBlobBytes: o.maxBlobBytes})
	if err != nil {
		var we *wasmdeploy.Error
		if errors.As(err, &we) {
			msg := strings.TrimPrefix(we.Message, "["+we.ID+"] ") // the failure carries the code itself
			if asked != m.reference {
				msg += fmt.Sprintf(" (asked mirror %s)", asked)
			}
			return wasmdeploy.ResolvedImage{}, tag, &resolveFailure{we.ID, m.path, msg}
		}
		return wasmdeploy.ResolvedImage{}, tag, err
	}
	c.resolver.mu.Lock()
	if len(c.resolver.cache) >= maxResolvedEntries {
		for k, e := range c.resolver.cache { // stale entries first; then any
			if time.Since(e.at) >= o.interval || len(c.resolver.cache) >= maxResolvedEntries {
				delete(c.resolver.cache, k)
			}
		}
	}
	c.resolver.cache[cacheKey] = resolvedEntry{image: img, at: time.Now()}
	c.resolver.mu.Unlock()
	return img, tag, nil
}

// pullSecret reads a pull secret by name in ns and keeps only its credentials.
func (c *controller) pullSecret(ctx context.Context, ns, name, path string) ([]byte, error) {
	s, err := c.kube.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, &resolveFailure{"controller.pull-secret", path,
			fmt.Sprintf("pull secret %q not found in namespace %s (it is read from the object's own namespace only)", name, ns)}
	}
	if apierrors.IsForbidden(err) {
		return nil, &resolveFailure{"controller.pull-secret", path,
			fmt.Sprintf("the controller may not read Secret %s/%s", ns, name)}
	}
	if err != nil {
		return nil, err
	}
	config, err := kube.DockerConfigFromSecret(string(s.Type), s.Data)
	if err != nil {
		return nil, &resolveFailure{"controller.pull-secret", path, fmt.Sprintf("pull secret %s/%s %v", ns, name, err)}
	}
	return config, nil
}

// splitReference splits oci://host/repo:tag into the registry host, the rest, and whether it
// names a tag (no @digest).
func splitReference(ref string) (string, string, bool) {
	r := strings.TrimPrefix(ref, "oci://")
	host, rest := r, ""
	if i := strings.IndexByte(r, '/'); i >= 0 {
		host, rest = r[:i], r[i+1:]
	}
	return host, rest, !strings.Contains(rest, "@")
}

// filterDeploymentModule is what a FilterDeployment needs resolved: its image, unless an
// annotation pins it.
func filterDeploymentModule(obj *unstructured.Unstructured) []moduleToResolve {
	ann := obj.GetAnnotations()
	if ann[kube.AnnotationSha256] != "" || ann[kube.AnnotationModuleSha256] != "" {
		return nil
	}
	image, _, _ := unstructured.NestedString(obj.Object, "spec", "filter", "image")
	if image == "" {
		return nil // the importer refuses it
	}
	if !strings.Contains(image, "://") {
		image = "oci://" + image // wasme images are OCI references (src/spec/import.cpp reads them so)
	}
	if !strings.HasPrefix(image, "oci://") {
		return nil
	}
	secret, _, _ := unstructured.NestedString(obj.Object, "spec", "filter", "imagePullOptions", "pullSecret")
	return []moduleToResolve{{index: 0, path: "spec.filter.image", reference: image, pullSecret: secret}}
}

// wasmDeploymentModules lists a WasmDeployment's oci:// filters that pin nothing.
func wasmDeploymentModules(body map[string]interface{}) []moduleToResolve {
	var out []moduleToResolve
	filters, _ := body["filters"].([]interface{})
	for i, f := range filters {
		fm, _ := f.(map[string]interface{})
		module, _ := fm["module"].(string)
		sha, _ := fm["sha256"].(string)
		moduleSha, _ := fm["moduleSha256"].(string)
		if !strings.HasPrefix(module, "oci://") || sha != "" || moduleSha != "" {
			continue
		}
		secret, _ := fm["imagePullSecret"].(string)
		out = append(out, moduleToResolve{index: i, path: fmt.Sprintf("filters[%d].module", i), reference: module, pullSecret: secret})
	}
	return out
}

// setResolved gives the spec what resolution found (sha256 hex of the manifest, moduleSha256).
func setResolved(s *wasmdeploy.Spec, r resolved) error {
	idx := make([]int, 0, len(r.digests))
	for i := range r.digests {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		img := r.digests[i]
		if err := s.SetFilter(i, "sha256", strings.TrimPrefix(img.ManifestDigest, "sha256:")); err != nil {
			return refused(err)
		}
		if err := s.SetFilter(i, "moduleSha256", img.ModuleSha256); err != nil {
			return refused(err)
		}
	}
	return nil
}

// afterResolve schedules what resolution needs next: a tag is resolved again after the
// interval; a failure is retried with a backoff (10 s doubling, at most the interval), not the
// queue's fast per-item backoff that would hammer a registry.
func (c *controller) afterResolve(kind ownerKind, owner kube.Owner, r resolved, err error) {
	k := key(kind, owner.Namespace, owner.Name)
	o := c.opts.registry
	var rf *resolveFailure
	if errors.As(err, &rf) {
		c.resolver.mu.Lock()
		n := c.resolver.fails[k]
		c.resolver.fails[k] = n + 1
		c.resolver.mu.Unlock()
		wait := 10 * time.Second << uint(minInt(n, 10))
		if wait > o.interval {
			wait = o.interval
		}
		c.queue.AddAfter(k, wait)
		return
	}
	if err != nil {
		return
	}
	c.resolver.mu.Lock()
	delete(c.resolver.fails, k)
	c.resolver.mu.Unlock()
	if r.tag {
		c.queue.AddAfter(k, o.interval)
	}
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// resolution is what the last reconcile of an owner learnt from registries, for its Resolved
// condition: set when the reconcile got as far as resolving.
type resolution struct {
	notes []string
	err   *resolveFailure
}

// resolveInto resolves what the owner's spec leaves unpinned and sets it on the spec; it
// records the outcome for the status and schedules the next resolution.
func (c *controller) resolveInto(ctx context.Context, owner kube.Owner, s *wasmdeploy.Spec, mods []moduleToResolve) error {
	kind, _ := ownerKindNamed(owner.Kind)
	k := key(kind, owner.Namespace, owner.Name)
	r, err := c.resolveModules(ctx, owner, kind.clusterScoped, mods)
	c.afterResolve(kind, owner, r, err)
	rep := resolution{notes: r.notes}
	var rf *resolveFailure
	if errors.As(err, &rf) {
		rep.err = rf
	} else if err != nil {
		return err
	}
	c.resolver.mu.Lock()
	c.resolver.reports[k] = rep
	c.resolver.mu.Unlock()
	if err != nil {
		return err
	}
	return setResolved(s, r)
}

// takeResolution returns and forgets the owner's resolution report of this reconcile.
func (c *controller) takeResolution(kind ownerKind, ns, name string) (resolution, bool) {
	k := key(kind, ns, name)
	c.resolver.mu.Lock()
	defer c.resolver.mu.Unlock()
	rep, ok := c.resolver.reports[k]
	delete(c.resolver.reports, k)
	return rep, ok
}

func ownerKindNamed(name string) (ownerKind, bool) {
	for _, ok := range ownerKinds {
		if ok.kind == name {
			return ok, true
		}
	}
	return ownerKind{}, false
}

// isResolveFailure: retried on the resolver's own schedule (afterResolve), not the queue's.
func isResolveFailure(err error) bool {
	var rf *resolveFailure
	return errors.As(err, &rf)
}

// resolvedCondition is the Resolved condition of a report.
func resolvedCondition(rep resolution, gen int64) kube.Condition {
	if rep.err != nil {
		reason := "RegistryError"
		if strings.HasPrefix(rep.err.code, "controller.") {
			reason = "ResolveRefused"
		}
		return kube.Condition{Type: "Resolved", Status: "False", Reason: reason, Message: rep.err.Error(), ObservedGeneration: gen}
	}
	if len(rep.notes) == 0 {
		return kube.Condition{Type: "Resolved", Status: "True", Reason: "Pinned",
			Message: "the object pins its module digests (or names no oci:// module): nothing resolved", ObservedGeneration: gen}
	}
	return kube.Condition{Type: "Resolved", Status: "True", Reason: "Resolved", Message: strings.Join(rep.notes, "; "), ObservedGeneration: gen}
}

// registryFlagValues are the registry flags as parsed (main.go calls registryFlags before
// flag.Parse and options after).
type registryFlagValues struct {
	caFile, mirrors, hosts *string
	timeout, interval      *time.Duration
	retries                *int
	maxBlobBytes           *uint64
}

func registryFlags() registryFlagValues {
	return registryFlagValues{
		caFile: flag.String("registry-ca-file", "", "PEM bundle of the certificate authorities registries are verified with (default: the system's)"),
		mirrors: flag.String("registry-mirrors", "", "comma-separated host=mirror pairs: resolve images of host at mirror (a pull-through "+
			"mirror serving the same digests; credentials are those for the mirror)"),
		hosts:        flag.String("registry-hosts", "", "comma-separated registries objects may name for resolution (default: any)"),
		timeout:      flag.Duration("registry-timeout", 30*time.Second, "bound of one registry request"),
		retries:      flag.Int("registry-retries", 2, "retries of a failed registry request (0-10)"),
		maxBlobBytes: flag.Uint64("registry-max-blob-bytes", 32<<20, "largest module accepted from a registry (it is held in memory to hash it)"),
		interval: flag.Duration("registry-resolve-interval", 5*time.Minute, "how often a tag is resolved again (a same-tag push is "+
			"picked up within this), and the longest wait before a failed resolution is retried"),
	}
}

func (f registryFlagValues) options(ownNamespace string) (registryOptions, error) {
	o := registryOptions{caFile: *f.caFile, mirrors: map[string]string{}, allowedHosts: map[string]bool{}, timeout: *f.timeout,
		retries: *f.retries, maxBlobBytes: *f.maxBlobBytes, interval: *f.interval, ownNamespace: ownNamespace}
	for _, pair := range strings.Split(*f.mirrors, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		host, mirror, ok := strings.Cut(pair, "=")
		if !ok || host == "" || mirror == "" || strings.ContainsAny(host+mirror, "/@ ") {
			return o, fmt.Errorf("--registry-mirrors: %q is not host=mirror", pair)
		}
		o.mirrors[host] = mirror
	}
	for _, h := range strings.Split(*f.hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			o.allowedHosts[h] = true
		}
	}
	switch {
	case o.interval <= 0:
		return o, fmt.Errorf("--registry-resolve-interval must be positive")
	case o.timeout <= 0:
		return o, fmt.Errorf("--registry-timeout must be positive")
	case o.retries < 0 || o.retries > 10:
		return o, fmt.Errorf("--registry-retries must be 0-10")
	case o.maxBlobBytes == 0:
		return o, fmt.Errorf("--registry-max-blob-bytes must be positive")
	}
	return o, nil
}
