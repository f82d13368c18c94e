// Package sovaproc runs the real sova command as a child process, for the
// process-level tests of server/sova and for the benchmark in
// server/tools/bench. Both need the same things of it: build it, start it on
// a port chosen by the kernel, learn that port from its "msg=serving" log
// line, keep its log for failure messages, pick out its ERROR lines, and stop
// it with SIGKILL or SIGTERM. Getting that right once matters, because the
// details are easy to get wrong: the log pipe must be drained all along (a
// full pipe stalls the server), and Wait may run only after the pipe is read
// to its end.
package sovaproc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Pkg is the import path of the command that Build builds.
const Pkg = "sova/server/sova"

// Build compiles sova (without -race: the child is what is measured or
// tested, not raced) into dir and returns the binary's path. It must run
// inside the sova module, as tests and `go run ./server/tools/bench` do.
func Build(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "sova")
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, Pkg).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build %s (run it from within the sova module): %v\n%s", Pkg, err, out)
	}
	return bin, nil
}

// How much of the log a Proc keeps: a server under load logs a line per
// request, so past maxLines only the first headLines and the last tailLines
// stay (ERROR lines are kept apart, up to maxErrors).
const (
	maxLines  = 2000
	headLines = 100
	tailLines = 1000
	maxErrors = 1000
)

var servingLine = regexp.MustCompile(`msg=serving addr=http://(\S+)`)

// Proc is one running sova.
type Proc struct {
	cmd  *exec.Cmd
	addr string // host:port it listens on

	done  chan struct{} // closed once the process is gone and its log read
	state *os.ProcessState

	mu      sync.Mutex
	lines   []string // its stderr, head and tail
	dropped int      // lines left out between head and tail
	errors  []string // its lines at level ERROR
}

// Start runs bin with args and waits up to wait for it to say where it
// serves. env is the child's whole environment, as in exec.Cmd.Env: nil
// passes on this process's own. If the process exits first or stays silent
// too long (it is killed then), the error quotes its log.
func Start(bin string, args, env []string, wait time.Duration) (*Proc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Proc{cmd: cmd, done: make(chan struct{})}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if m := servingLine.FindStringSubmatch(line); m != nil {
				select {
				case ready <- m[1]:
				default:
				}
			}
			p.keep(line)
		}
		io.Copy(io.Discard, stderr)
		// Wait only after the pipe is drained, as os/exec asks.
		cmd.Wait()
		p.state = cmd.ProcessState
		close(p.done)
	}()
	select {
	case p.addr = <-ready:
		return p, nil
	case <-p.done:
		return nil, errors.New("sova exited before serving:\n" + p.Log())
	case <-time.After(wait):
		p.Kill()
		return nil, fmt.Errorf("sova did not say where it serves within %s:\n%s", wait, p.Log())
	}
}

func (p *Proc) keep(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if strings.Contains(line, "level=ERROR") && len(p.errors) < maxErrors {
		p.errors = append(p.errors, line)
	}
	p.lines = append(p.lines, line)
	if len(p.lines) > maxLines {
		p.dropped += len(p.lines) - headLines - tailLines
		p.lines = append(p.lines[:headLines], p.lines[len(p.lines)-tailLines:]...)
	}
}

// Addr is the host:port it listens on.
func (p *Proc) Addr() string { return p.addr }

// URL is its base URL, http://host:port.
func (p *Proc) URL() string { return "http://" + p.addr }

// Pid is its process id, for /proc/<pid>.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Log is what it has written to stderr so far; of a long log, the head and
// the tail.
func (p *Proc) Log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dropped == 0 {
		return strings.Join(p.lines, "\n")
	}
	return strings.Join(p.lines[:headLines], "\n") +
		"\n… " + strconv.Itoa(p.dropped) + " lines left out …\n" +
		strings.Join(p.lines[headLines:], "\n")
}

// ErrorLines are the lines it logged at level ERROR, all of them, also those
// left out of Log.
func (p *Proc) ErrorLines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errors...)
}

// Signal sends sig.
func (p *Proc) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Done is closed once the process has exited and its log is read to the end.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Wait waits up to d for the process to exit and returns its exit code (-1
// when a signal ended it). If it is still running after d, it is killed and
// Wait returns an error.
func (p *Proc) Wait(d time.Duration) (int, error) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-p.done:
	case <-timer.C:
		select {
		case <-p.done: // both were ready: it did exit in time
		default:
			p.Kill()
			return p.state.ExitCode(), fmt.Errorf("sova did not exit within %s", d)
		}
	}
	return p.state.ExitCode(), nil
}

// Kill sends SIGKILL and waits for the process to be gone. It is safe to call
// after the process has exited, so it serves as a cleanup.
func (p *Proc) Kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Term sends SIGTERM and waits up to d for a graceful exit, as Wait does. A
// process that has already exited just reports its exit code.
func (p *Proc) Term(d time.Duration) (int, error) {
	p.Signal(syscall.SIGTERM)
	return p.Wait(d)
}
