package main

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/calmock/calmock/mockserver"
)

// HealthCheck asks the calmock listening on -addr whether it is up. A wildcard host (":8080",
// "0.0.0.0:8080") is asked on the loopback interface.
func (m *Main) HealthCheck() error {
	host, port, err := net.SplitHostPort(m.addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", m.addr, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	url := "http://" + net.JoinHostPort(host, port) + mockserver.HealthPath
	client := &http.Client{Timeout: 3 * time.Second}
	res, err := client.Get(url)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("health check: GET %s answered %s", url, res.Status)
	}
	fmt.Fprintln(m.stdout, "calmock: healthy at", url)
	return nil
}
