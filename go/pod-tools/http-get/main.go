// Command http-get does one HTTP GET and prints {"status":N,"body":"..."} as JSON on stdout.
// The pods provider runs it inside the client network namespace (nsenter --net=...), so the
// request leaves from "another host on the same network" as the page's browser steps say.
// --timeout bounds the attempt: an address nobody answers ARP for yet would otherwise hold it for
// the kernel's whole ARP resolution (about 3 s) after the load balancer has started answering.
//
//	http-get [--timeout 1s] URL
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	timeout := flag.Duration("timeout", 10*time.Second, "the whole attempt's limit")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: http-get [--timeout 1s] URL")
		os.Exit(2)
	}
	client := &http.Client{Timeout: *timeout}
	resp, err := client.Get(flag.Arg(0))
	if err != nil {
		json.NewEncoder(os.Stdout).Encode(map[string]any{"error": err.Error()})
		os.Exit(1)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	json.NewEncoder(os.Stdout).Encode(map[string]any{"status": resp.StatusCode, "body": string(body)})
}
