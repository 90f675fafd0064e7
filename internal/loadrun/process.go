package loadrun

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// process is a started server. The caller must call stop.
type process struct {
	cmd     *exec.Cmd
	base    string
	startup time.Duration // exec to first successful answer
	exited  chan struct{} // closed when the process has exited and been waited for
}

// start execs name args… with -addr 127.0.0.1:<free port> appended, on the CPUs of the
// taskset list cpus ("": any), and waits until probe answers 200.
func start(ctx context.Context, cpus, probe, name string, args ...string) (*process, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	args = append(args, "-addr", addr)
	if cpus != "" {
		// taskset execs the server in its place (same pid, so VmRSS is still the server's).
		name, args = "taskset", append([]string{"-c", cpus, name}, args...)
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout = io.Discard
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, base: "http://" + addr, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	client := &http.Client{Timeout: time.Second}
	for deadline := t0.Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		resp, err := client.Get(p.base + probe)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.startup = time.Since(t0)
				return p, nil
			}
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("%s exited before answering on %s: %s", name, addr, strings.TrimSpace(stderr.String()))
		default:
		}
	}
	p.stop()
	return nil, fmt.Errorf("%s did not answer on %s within 60 s: %s", name, addr, strings.TrimSpace(stderr.String()))
}

// stop interrupts the process and waits for it to exit, killing it after 5 s.
func (p *process) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// rssMB is the process's VmRSS in MB (0 if unreadable).
func (p *process) rssMB() float64 { return vmRSSMB(p.cmd.Process.Pid) }

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// hasFlag reports whether `bin -help` mentions -name.
func hasFlag(bin, name string) bool {
	out, _ := exec.Command(bin, "-help").CombinedOutput()
	return bytes.Contains(out, []byte("-"+name+" ")) || bytes.Contains(out, []byte("-"+name+"\n"))
}
