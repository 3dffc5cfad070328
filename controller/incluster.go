package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	certutil "k8s.io/client-go/util/cert"
)

// defaultServiceAccountDir is where the kubelet mounts a pod's service-account token, CA and
// namespace (rest.InClusterConfig reads exactly these paths).
const defaultServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// inClusterConfig is rest.InClusterConfig (client-go v0.35.4 rest/config.go) with the
// credentials directory as a parameter, so the image's binary can be run as in-cluster
// against a test API server without writing to /var/run. KUBERNETES_SERVICE_HOST and
// KUBERNETES_SERVICE_PORT name the server, as in a pod. Unlike client-go, an unreadable CA is
// an error here: falling back to the system roots would trust any public CA for the API server.
func inClusterConfig(dir string) (*rest.Config, error) {
	if dir == defaultServiceAccountDir {
		return rest.InClusterConfig()
	}
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return nil, rest.ErrNotInCluster
	}
	tokenFile, caFile := filepath.Join(dir, "token"), filepath.Join(dir, "ca.crt")
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		return nil, fmt.Errorf("--service-account-dir: %w", err)
	}
	if _, err := certutil.NewPool(caFile); err != nil {
		return nil, fmt.Errorf("--service-account-dir: %w", err)
	}
	return &rest.Config{
		Host:            "https://" + net.JoinHostPort(host, port),
		TLSClientConfig: rest.TLSClientConfig{CAFile: caFile},
		BearerToken:     string(token),
		BearerTokenFile: tokenFile, // re-read as the kubelet rotates it
	}, nil
}
