package wasmdeploy

/*
#include <stdlib.h>
#include <wasmdeploy/wasmdeploy.h>
*/
import "C"

import "time"

// RegistryOptions say how the controller reaches registries (capi/include/wasmdeploy/resolve.h).
type RegistryOptions struct {
	// DockerConfigJSON is a config.json's content (a kubernetes.io/dockerconfigjson Secret's
	// .dockerconfigjson); empty: anonymous.
	DockerConfigJSON []byte
	// CAFile is a PEM bundle to trust instead of the system's; empty: the system's.
	CAFile string
	// ConnectTimeout and RequestTimeout bound each request; Retries re-tries a failed one.
	ConnectTimeout, RequestTimeout time.Duration
	Retries                        int
	// MaxBlobBytes is the largest blob read (the module is held in memory to hash it).
	MaxBlobBytes uint64
}

// ResolvedImage is what a registry said about a reference.
type ResolvedImage struct {
	// ManifestDigest is "sha256:<hex>"; ModuleSha256 the hex sha256 of the .wasm.
	ManifestDigest, ModuleSha256 string
}

// ResolveImage asks the registry for reference (oci://registry/repo:tag or @sha256:...). The
// library verifies every digest it receives; an error is an *Error whose ID names the failure
// (registry.unauthorized, registry.not-found, registry.timeout, ...).
func ResolveImage(reference string, o RegistryOptions) (ResolvedImage, error) {
	var cs cstrings
	defer cs.free()
	var opts *C.wd_resolve_options
	if err := call(func() C.int { return C.wd_resolve_options_new(&opts) }); err != nil {
		return ResolvedImage{}, err
	}
	defer C.wd_resolve_options_free(opts)
	// Never the controller's own ~/.docker/config.json: only what the object's Secret gives.
	json := o.DockerConfigJSON
	if len(json) == 0 {
		json = []byte(`{"auths":{}}`)
	}
	p, n, done := bytesArg(json)
	defer done()
	if err := call(func() C.int { return C.wd_resolve_options_set_docker_config_json(opts, p, n) }); err != nil {
		return ResolvedImage{}, err
	}
	var ca *C.char
	if o.CAFile != "" {
		ca = cs.of(o.CAFile)
	}
	if err := call(func() C.int { return C.wd_resolve_options_set_tls(opts, 0, 0, ca) }); err != nil {
		return ResolvedImage{}, err
	}
	if o.ConnectTimeout > 0 && o.RequestTimeout > 0 {
		if err := call(func() C.int {
			return C.wd_resolve_options_set_timeouts(opts, C.long(o.ConnectTimeout.Milliseconds()),
				C.long(o.RequestTimeout.Milliseconds()), C.int(o.Retries))
		}); err != nil {
			return ResolvedImage{}, err
		}
	}
	if o.MaxBlobBytes > 0 {
		if err := call(func() C.int { return C.wd_resolve_options_set_max_blob_bytes(opts, C.uint64_t(o.MaxBlobBytes)) }); err != nil {
			return ResolvedImage{}, err
		}
	}
	var img *C.wd_resolved_image
	if err := call(func() C.int { return C.wd_resolve_image(&img, cs.of(reference), opts) }); err != nil {
		return ResolvedImage{}, err
	}
	defer C.wd_resolved_image_free(img)
	return ResolvedImage{
		ManifestDigest: C.GoString(C.wd_resolved_image_manifest_digest(img)),
		ModuleSha256:   C.GoString(C.wd_resolved_image_module_sha256(img)),
	}, nil
}
