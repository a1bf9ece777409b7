// Command netns-forward makes a TCP server inside a network namespace reachable from the host's
// loopback: it listens on --listen in the namespace it was started in (the host's) and, for every
// connection, dials --target from inside --netns (a thread switched with setns(2), so the socket
// is created there). The API server of the pods sandbox lives in the node's namespace; kubectl
// and the runbook reach it at 127.0.0.1 through this forwarder. Nothing else crosses.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

// setns(2) on linux/amd64 (the standard library's syscall package has no constant for it).
const sysSetns = 308

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address in the host namespace")
	netns := flag.String("netns", "", "network namespace file, e.g. /run/netns/vdocs-node")
	target := flag.String("target", "127.0.0.1:6443", "address inside the namespace")
	portFile := flag.String("port-file", "", "write the chosen port here once listening")
	flag.Parse()
	if *netns == "" {
		log.Fatal("--netns is required")
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if *portFile != "" {
		tmp := *portFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(fmt.Sprintf("%d\n", port)), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(tmp, *portFile); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("127.0.0.1:%d -> %s in %s", port, *target, *netns)
	go func() {
		signals := make(chan os.Signal, 1)
		signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
		<-signals
		ln.Close()
		os.Exit(0)
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go forward(conn, *netns, *target)
	}
}

// dialIn opens the connection from a thread that has joined the namespace; the thread is
// never returned to the scheduler (LockOSThread without Unlock: Go discards it on exit).
func dialIn(netns, target string) (net.Conn, error) {
	type result struct {
		conn net.Conn
		err  error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		f, err := os.Open(netns)
		if err != nil {
			done <- result{nil, err}
			return
		}
		defer f.Close()
		if _, _, errno := syscall.RawSyscall(sysSetns, f.Fd(), syscall.CLONE_NEWNET, 0); errno != 0 {
			done <- result{nil, fmt.Errorf("setns %s: %w", netns, errno)}
			return
		}
		c, err := net.Dial("tcp", target)
		done <- result{c, err}
	}()
	r := <-done
	return r.conn, r.err
}

func forward(in net.Conn, netns, target string) {
	defer in.Close()
	out, err := dialIn(netns, target)
	if err != nil {
		log.Print(err)
		return
	}
	defer out.Close()
	go func() {
		io.Copy(out, in)
		out.(*net.TCPConn).CloseWrite()
	}()
	io.Copy(in, out)
}
