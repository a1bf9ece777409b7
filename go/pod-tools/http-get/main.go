// Command http-get does one HTTP GET and prints {"status":N,"body":"..."} as JSON on stdout.
// The pods provider runs it inside the client network namespace (nsenter --net=...), so the
// request leaves from "another host on the same network" as the page's browser steps say.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: http-get URL")
		os.Exit(2)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(os.Args[1])
	if err != nil {
		json.NewEncoder(os.Stdout).Encode(map[string]any{"error": err.Error()})
		os.Exit(1)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	json.NewEncoder(os.Stdout).Encode(map[string]any{"status": resp.StatusCode, "body": string(body)})
}
