// Command oci-image packs static binaries into an OCI image layout tarball that
// `ctr -n k8s.io images import` accepts: one gzip layer, an image config with the entrypoint,
// a manifest, and index.json naming the image (io.containerd.image.name) so it is tagged with
// exactly the name a manifest uses and nothing is ever pulled. Output is deterministic.
// --base-layer puts a root file system tarball (Debian's iptables for kube-proxy) under the files,
// as a layer of its own; --link adds symbolic links (the alternatives Debian's packages set up).
//
//	oci-image --name quay.io/metallb/speaker:v0.11.0 --file /speaker=bin/speaker --entrypoint /speaker --out speaker.tar
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"log"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

var epoch = time.Unix(0, 0).UTC()

func main() {
	name := flag.String("name", "", "full image name with tag, e.g. quay.io/metallb/speaker:v0.11.0")
	entrypoint := flag.String("entrypoint", "", "entrypoint path in the image")
	out := flag.String("out", "", "output tarball")
	base := flag.String("base-layer", "", "uncompressed tarball of a root file system, the image's first layer")
	var content, links files
	flag.Var(&content, "file", "IMAGE_PATH=LOCAL_FILE (repeatable); mode 0755")
	flag.Var(&links, "link", "IMAGE_PATH=TARGET symbolic link (repeatable)")
	flag.Parse()
	if *name == "" || *out == "" || len(content) == 0 {
		log.Fatal("--name, --out and at least one --file are required")
	}
	var layers [][]byte
	if *base != "" {
		data, err := os.ReadFile(*base)
		must(err)
		layers = append(layers, data)
	}
	layers = append(layers, layer(content, links))
	var diffIDs []string
	var layersGz [][]byte
	var layerDescs []any
	for _, l := range layers {
		diffIDs = append(diffIDs, digest(l))
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
		zw.ModTime = epoch
		_, err := zw.Write(l)
		must(err)
		must(zw.Close())
		layersGz = append(layersGz, gz.Bytes())
		layerDescs = append(layerDescs, descriptor("application/vnd.oci.image.layer.v1.tar+gzip", gz.Bytes()))
	}

	config := mustJSON(map[string]any{
		"architecture": "amd64",
		"os":           "linux",
		"created":      epoch.Format(time.RFC3339),
		"config": map[string]any{
			"Entrypoint": entrypoints(*entrypoint),
			"Env":        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
			"WorkingDir": "/",
		},
		"rootfs":  map[string]any{"type": "layers", "diff_ids": diffIDs},
		"history": []map[string]any{{"created": epoch.Format(time.RFC3339), "created_by": "vdocs oci-image " + *name}},
	})
	manifest := mustJSON(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        descriptor("application/vnd.oci.image.config.v1+json", config),
		"layers":        layerDescs,
	})
	tag := (*name)[strings.LastIndex(*name, ":")+1:]
	manifestDesc := descriptor("application/vnd.oci.image.manifest.v1+json", manifest)
	manifestDesc["annotations"] = map[string]string{
		"io.containerd.image.name":         *name,
		"org.opencontainers.image.ref.name": tag,
	}
	manifestDesc["platform"] = map[string]string{"architecture": "amd64", "os": "linux"}
	index := mustJSON(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.index.v1+json",
		"manifests":     []any{manifestDesc},
	})

	f, err := os.Create(*out + ".tmp")
	must(err)
	tw := tar.NewWriter(f)
	add := func(p string, b []byte) {
		must(tw.WriteHeader(&tar.Header{Name: p, Mode: 0o644, Size: int64(len(b)), ModTime: epoch, Typeflag: tar.TypeReg}))
		_, err := tw.Write(b)
		must(err)
	}
	add("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
	add("index.json", index)
	for _, b := range append(layersGz, config, manifest) {
		add("blobs/sha256/"+strings.TrimPrefix(digest(b), "sha256:"), b)
	}
	must(tw.Close())
	must(f.Close())
	must(os.Rename(*out+".tmp", *out))
}

// entrypoints: the image's entrypoint, or none (the pod's command says what to run).
func entrypoints(e string) []string {
	if e == "" {
		return nil
	}
	return []string{e}
}

// layer is an uncompressed tar holding each file (mode 0755, root-owned), each link, and their parent folders.
func layer(content, links files) []byte {
	sort.Strings(content)
	sort.Strings(links)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	entry := func(flagName, spec string) (string, string) {
		imagePath, value, ok := strings.Cut(spec, "=")
		if !ok {
			log.Fatalf("--%s %q: want IMAGE_PATH=VALUE", flagName, spec)
		}
		rel := strings.TrimPrefix(path.Clean(imagePath), "/")
		for d := path.Dir(rel); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
			must(tw.WriteHeader(&tar.Header{Name: d + "/", Mode: 0o755, ModTime: epoch, Typeflag: tar.TypeDir}))
		}
		return rel, value
	}
	for _, spec := range content {
		rel, local := entry("file", spec)
		data, err := os.ReadFile(local)
		must(err)
		must(tw.WriteHeader(&tar.Header{Name: rel, Mode: 0o755, Size: int64(len(data)), ModTime: epoch, Typeflag: tar.TypeReg}))
		_, err = tw.Write(data)
		must(err)
	}
	for _, spec := range links {
		rel, target := entry("link", spec)
		must(tw.WriteHeader(&tar.Header{Name: rel, Linkname: target, Mode: 0o777, ModTime: epoch, Typeflag: tar.TypeSymlink}))
	}
	// A writable /tmp, as distroless-style images have.
	must(tw.WriteHeader(&tar.Header{Name: "tmp/", Mode: 0o1777, ModTime: epoch, Typeflag: tar.TypeDir}))
	must(tw.Close())
	return buf.Bytes()
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func descriptor(mediaType string, b []byte) map[string]any {
	return map[string]any{"mediaType": mediaType, "digest": digest(b), "size": len(b)}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	must(err)
	return b
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
