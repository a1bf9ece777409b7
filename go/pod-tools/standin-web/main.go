// Command standin-web serves a short Korean HTML page saying which dashboard it stands in for.
// It is the backend of the runbook's stand-in Services on the pods provider: one process listens
// on every port in STANDIN_PORTS (comma separated) and answers every path with the same page.
//
//	STANDIN_TITLE="Kubeflow 대시보드" STANDIN_SERVICE=istio-system/istio-ingressgateway STANDIN_PORTS=8080,8443 standin-web
package main

import (
	"fmt"
	"html"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const page = `<!doctype html>
<html lang="ko">
<head><meta charset="utf-8"><title>%[1]s 대역 (stand-in)</title>
<style>body{font-family:"Noto Sans CJK KR",sans-serif;margin:3rem;line-height:1.6}code{background:#eee;padding:0 .3em}</style></head>
<body>
<h1>%[1]s 대역 (stand-in)</h1>
<p>이 페이지는 검증용 샌드박스에서 <code>%[2]s</code> 서비스를 대신하는 대역 서버입니다.</p>
<p>실제 %[1]s 화면이 아니라, MetalLB 가 할당한 주소로 같은 네트워크의 다른 호스트에서 접속할 수 있다는 것만 보여 줍니다.</p>
<p>포트: <code>%[3]s</code>, 파드: <code>%[4]s</code></p>
</body>
</html>
`

func main() {
	title := envOr("STANDIN_TITLE", "대시보드")
	service := envOr("STANDIN_SERVICE", "?")
	ports := strings.Split(envOr("STANDIN_PORTS", "8080"), ",")
	pod := envOr("POD_NAME", "?")
	for _, port := range ports {
		port := strings.TrimSpace(port)
		body := fmt.Sprintf(page, html.EscapeString(title), html.EscapeString(service), html.EscapeString(port), html.EscapeString(pod))
		mux := http.NewServeMux()
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		})
		go func() { log.Fatal(http.ListenAndServe(":"+port, mux)) }()
		log.Printf("%s 대역: :%s 에서 대기", title, port)
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	<-signals
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
