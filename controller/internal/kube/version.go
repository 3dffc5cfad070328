package kube

import (
	"fmt"
	"strings"
)

// IstioVersionFromImage reads the mesh version from istiod's image, as wasme did: the tag of
// the `discovery` container ("docker.io/istio/pilot:1.29.1" or "...:1.29.1-distroless").
func IstioVersionFromImage(image string) (string, error) {
	ref := image
	if at := strings.Index(ref, "@"); at >= 0 {
		ref = ref[:at]
	}
	slash := strings.LastIndex(ref, "/")
	colon := strings.LastIndex(ref, ":")
	if colon < 0 || colon < slash {
		return "", fmt.Errorf("istiod image %q has no tag to read the Istio version from; pass --istio", image)
	}
	tag := strings.TrimPrefix(ref[colon+1:], "v")
	if dash := strings.IndexByte(tag, '-'); dash >= 0 {
		tag = tag[:dash] // -distroless, -debug
	}
	parts := strings.Split(tag, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return "", fmt.Errorf("istiod image tag %q is not an Istio version; pass --istio", ref[colon+1:])
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return "", fmt.Errorf("istiod image tag %q is not an Istio version; pass --istio", ref[colon+1:])
		}
	}
	return tag, nil
}
