module wasmdeploy.dev/tests/conformance/effect

go 1.25.0

// The istio.io/istio version here is a placeholder: lib/build-effect.sh
// builds a copy of this module once per Istio pin (istioctl-versions.txt plus
// effect-versions.txt), pinning that release's pseudo-version and carrying
// that release's own go.sum.
require istio.io/istio v0.0.0-20260306174214-6991a379e1fc
