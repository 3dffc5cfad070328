// imagebuilder writes a directory tree as a one-layer OCI container image layout, with no
// container daemon and byte-for-byte reproducibly: the same tree gives the same digest.
//
//	imagebuilder --rootfs DIR --out LAYOUT --user 65532:65532 \
//	    --entrypoint /usr/local/bin/wasmdeploy-controller --ref-name v1
//
// scripts/controller-image.sh stages the controller and its shared libraries into DIR and calls
// it. Only the standard library is used, so it builds offline with no module downloads.
//
// Determinism: entries are written in lexical path order, every header has mtime 0, uid/gid 0
// and no user or group names, modes are normalised (0755 for directories and executables, 0644
// otherwise), and the gzip header carries no name or time. The config has no "created" date.
// Shapes follow the OCI image-spec v1.1 (image-layout.md, manifest.md, config.md, layer.md).
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
)

const (
	mediaManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaIndex    = "application/vnd.oci.image.index.v1+json"
	mediaConfig   = "application/vnd.oci.image.config.v1+json"
	mediaLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
)

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type blob struct {
	desc  descriptor
	bytes []byte
}

func describe(mediaType string, b []byte) blob {
	sum := sha256.Sum256(b)
	return blob{descriptor{MediaType: mediaType, Digest: "sha256:" + hex.EncodeToString(sum[:]), Size: int64(len(b))}, b}
}

// layerTar writes the tree under root as a tar, entries in lexical order (WalkDir's order),
// with every varying header field zeroed. Only directories, regular files and symbolic links
// are allowed: a device or socket in a staged tree is a mistake.
func layerTar(root string) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil || rel == "." {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		h := &tar.Header{Name: filepath.ToSlash(rel), ModTime: time.Unix(0, 0), Format: tar.FormatUSTAR}
		switch {
		case d.IsDir():
			h.Typeflag, h.Name, h.Mode = tar.TypeDir, h.Name+"/", 0o755
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, target, 0o777
		case info.Mode().IsRegular():
			h.Typeflag, h.Size, h.Mode = tar.TypeReg, info.Size(), 0o644
			if info.Mode()&0o111 != 0 {
				h.Mode = 0o755
			}
		default:
			return fmt.Errorf("%s: only directories, regular files and symbolic links go into the image", path)
		}
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		if h.Typeflag == tar.TypeReg {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			if n, err := io.Copy(tw, f); err != nil || n != h.Size {
				return fmt.Errorf("%s: changed while being read (%d of %d bytes): %v", path, n, h.Size, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression) // header: no name, mtime 0, OS 255
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type options struct {
	rootfs, out, user, refName string
	entrypoint, env, labels    []string
}

func build(o options) (string, error) {
	tarBytes, err := layerTar(o.rootfs)
	if err != nil {
		return "", err
	}
	gz, err := gzipBytes(tarBytes)
	if err != nil {
		return "", err
	}
	layer := describe(mediaLayer, gz)
	diffID := describe("", tarBytes).desc.Digest

	labels := map[string]string{}
	for _, l := range o.labels {
		k, v, ok := strings.Cut(l, "=")
		if !ok || k == "" {
			return "", fmt.Errorf("--label %q: want KEY=VALUE", l)
		}
		labels[k] = v
	}
	// encoding/json writes map keys sorted and struct fields in declaration order, so the
	// config's bytes depend only on its values.
	type imageConfig struct {
		User       string            `json:"User"`
		Entrypoint []string          `json:"Entrypoint"`
		Env        []string          `json:"Env,omitempty"`
		WorkingDir string            `json:"WorkingDir"`
		Labels     map[string]string `json:"Labels,omitempty"`
	}
	cfg := map[string]any{
		"architecture": runtime.GOARCH,
		"os":           "linux",
		"config":       imageConfig{User: o.user, Entrypoint: o.entrypoint, Env: o.env, WorkingDir: "/", Labels: labels},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{diffID}},
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return "", err
	}
	config := describe(mediaConfig, cfgJSON)
	manifestJSON, err := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": mediaManifest, "config": config.desc, "layers": []descriptor{layer.desc},
	})
	if err != nil {
		return "", err
	}
	manifest := describe(mediaManifest, manifestJSON)
	entry := manifest.desc
	if o.refName != "" {
		entry.Annotations = map[string]string{"org.opencontainers.image.ref.name": o.refName}
	}
	indexJSON, err := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": mediaIndex, "manifests": []descriptor{entry}})
	if err != nil {
		return "", err
	}
	if err := writeLayout(o.out, indexJSON, []blob{config, layer, manifest}); err != nil {
		return "", err
	}
	return manifest.desc.Digest, nil
}

// writeLayout writes the layout into a temporary directory beside out and renames it into
// place, so out never holds a partial image. An existing out is replaced only if it is a layout.
func writeLayout(out string, index []byte, blobs []blob) error {
	if st, err := os.Stat(out); err == nil {
		if _, err := os.Stat(filepath.Join(out, "oci-layout")); err != nil || !st.IsDir() {
			return fmt.Errorf("%s exists and is not an OCI image layout; not replacing it", out)
		}
	}
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(out)), ".imagebuilder-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Join(tmp, "blobs", "sha256"), 0o755); err != nil {
		return err
	}
	files := map[string][]byte{"oci-layout": []byte(`{"imageLayoutVersion":"1.0.0"}`), "index.json": index}
	for _, b := range blobs {
		files[filepath.Join("blobs", "sha256", strings.TrimPrefix(b.desc.Digest, "sha256:"))] = b.bytes
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(tmp, n), files[n], 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.RemoveAll(out); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.Rename(tmp, out)
}

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var o options
	var entrypoint string
	flag.StringVar(&o.rootfs, "rootfs", "", "directory tree to put into the image's one layer")
	flag.StringVar(&o.out, "out", "", "OCI image layout directory to write (replaced if it is one)")
	flag.StringVar(&o.user, "user", "65532:65532", "numeric UID:GID the container runs as")
	flag.StringVar(&entrypoint, "entrypoint", "", "absolute path of the program to run")
	flag.StringVar(&o.refName, "ref-name", "", "org.opencontainers.image.ref.name of the manifest in index.json")
	flag.Var((*list)(&o.env), "env", "KEY=VALUE for the image's environment (repeatable)")
	flag.Var((*list)(&o.labels), "label", "KEY=VALUE image label (repeatable)")
	flag.Parse()
	if o.rootfs == "" || o.out == "" || !strings.HasPrefix(entrypoint, "/") || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: imagebuilder --rootfs DIR --out LAYOUT --entrypoint /ABS/PATH [--user UID:GID] [--ref-name R] [--env K=V]... [--label K=V]...")
		os.Exit(2)
	}
	uid, gid, ok := strings.Cut(o.user, ":")
	if !ok || !numeric(uid) || !numeric(gid) || uid == "0" {
		// runAsNonRoot can only be checked by the kubelet against a numeric, non-zero user.
		fmt.Fprintf(os.Stderr, "imagebuilder: --user %q: want a numeric, non-root UID:GID\n", o.user)
		os.Exit(2)
	}
	o.entrypoint = []string{entrypoint}
	digest, err := build(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "imagebuilder:", err)
		os.Exit(1)
	}
	fmt.Println(digest)
}

func numeric(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
