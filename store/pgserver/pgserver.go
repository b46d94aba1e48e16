// Package pgserver runs a real PostgreSQL server from the machine's own
// binaries on a data directory it owns: initdb on first use, unix socket
// only, recovery from a crash (stale postmaster.pid, orphaned server), and a
// clean stop. It is the default database of thugom when DATABASE_URL is not
// set, and the cluster the tests start (store/pgtest).
//
// initdb and postgres refuse to run as root; when the process is root they
// run as the "postgres" system user, which then owns the cluster directory.
package pgserver

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoBinaries is returned when no PostgreSQL server binaries are found.
var ErrNoBinaries = errors.New("no PostgreSQL server binaries found (looked for initdb and postgres via pg_config --bindir, /usr/lib/postgresql/*/bin, /usr/local/pgsql/bin and PATH): " +
	"install PostgreSQL (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql) " +
	"or set DATABASE_URL to an existing PostgreSQL ≥ 14 server")

// Config configures a server.
type Config struct {
	// Dir is the cluster directory (PGDATA). Its parent must exist or be
	// creatable.
	Dir string
	// BinDir holds initdb and postgres; empty means search (FindBinDir).
	BinDir string
	// Unsafe turns off durability (fsync, full_page_writes,
	// synchronous_commit) for throwaway test clusters.
	Unsafe bool
	// Settings are extra postgres -c name=value settings.
	Settings map[string]string
	// Log receives the server's output; nil means <Dir>/../postgres.log.
	Log *os.File
	// HomeRoot is where the cluster lives instead of Dir when the process
	// is root and the postgres user cannot reach Dir (a clone under /root,
	// mode 0700): <HomeRoot>/<hash of Dir>/pg, recorded in Dir's parent as
	// <base of Dir>.location so the next run finds it. Empty means
	// /var/lib/thugom.
	HomeRoot string
	// Supervise restarts the postmaster on the same data when it dies
	// (kill -9, OOM killer) until Stop, with backoff; each exit and restart
	// is logged to Logger. Done then closes only after Stop.
	Supervise bool
	// Logger receives the supervisor's lines; nil means slog.Default().
	Logger *slog.Logger
}

// DefaultHomeRoot is where clusters the postgres user could not reach in
// place live (Config.HomeRoot).
const DefaultHomeRoot = "/var/lib/thugom"

// Server is a running PostgreSQL server.
type Server struct {
	cfg      Config
	bin      string
	sockDir  string
	port     int
	cmd      *exec.Cmd
	done     chan struct{} // closed when the postmaster we started exits
	waitErr  error
	adopted  bool // running server found and reused, not ours to stop
	logFile  *os.File
	stopOnce sync.Once

	mu       sync.Mutex    // guards cmd and done across supervised restarts
	stopSup  func()        // cancels the supervisor
	supDone  chan struct{} // closed when the supervisor has returned
	final    chan struct{} // supervised: closed after Stop
	restarts int
}

const port = 5432 // only names the socket file; nothing listens on TCP

// Start initialises the cluster if needed, recovers from a previous crash and
// starts the server; it returns when the server accepts connections.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Dir == "" {
		return nil, errors.New("pgserver: empty data directory")
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	cfg.Dir = dir
	var bin string
	if cfg.BinDir != "" {
		bin, err = findBinDir([]string{cfg.BinDir})
	} else {
		bin, err = FindBinDir()
	}
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, bin: bin, port: port, done: make(chan struct{})}
	if cfg.Log == nil {
		// The log stays beside the data dir the user chose (this process
		// writes it, not postgres).
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			return nil, fmt.Errorf("pgserver: %w", err)
		}
		s.logFile, err = os.OpenFile(filepath.Join(filepath.Dir(dir), "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("pgserver: open log: %w", err)
		}
	} else {
		s.logFile = cfg.Log
	}
	if err := s.relocate(cred); err != nil {
		return nil, err
	}
	dir = s.cfg.Dir
	if err := s.prepareParent(cred); err != nil {
		return nil, err
	}
	if err := s.initdb(ctx, cred); err != nil {
		return nil, err
	}
	s.sockDir, err = socketDir(dir, cred)
	if err != nil {
		return nil, err
	}
	// A postmaster still running on this directory (a previous thugom on
	// the same data dir, or one whose parent was killed before it noticed):
	// reuse it if it answers.
	if pid, ok := runningPostmaster(dir); ok {
		if err := s.waitReady(ctx, 10*time.Second, nil); err == nil {
			s.adopted = true // Done never closes: we do not own its life
			return s, nil
		}
		// Alive but not answering: ask it to stop, then start our own.
		_ = syscall.Kill(pid, syscall.SIGINT)
		waitGone(pid, 30*time.Second)
	}
	var lastErr error
	// After a kill -9 of the postmaster its children may hold the shared
	// memory for a moment; postgres then refuses to start. Retry briefly.
	for attempt := 0; attempt < 5; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(attempt) * 500 * time.Millisecond):
			}
			s.done = make(chan struct{})
		}
		lastErr = s.start(ctx, cred)
		if lastErr == nil {
			if cfg.Supervise {
				s.supervise(cred)
			}
			return s, nil
		}
	}
	return nil, lastErr
}

// supervise watches the postmaster and starts a new one on the same data
// when it exits without Stop: immediately, then with a backoff doubling to
// 5 s while starts fail (a killed postmaster's children hold the shared
// memory for a moment).
func (s *Server) supervise(cred *syscall.Credential) {
	log := s.cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stopSup, s.supDone, s.final = cancel, make(chan struct{}), make(chan struct{})
	go func() {
		defer close(s.supDone)
		for {
			s.mu.Lock()
			exited := s.done
			s.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-exited:
			}
			died := time.Now()
			log.Error("embedded PostgreSQL exited; restarting it on the same data", "dir", s.cfg.Dir, "err", s.waitErr)
			for wait := 100 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
				s.mu.Lock()
				s.done = make(chan struct{})
				s.mu.Unlock()
				err := s.start(ctx, cred)
				if err == nil {
					s.mu.Lock()
					s.restarts++
					s.mu.Unlock()
					log.Warn("embedded PostgreSQL restarted", "dir", s.cfg.Dir, "down", time.Since(died).Round(time.Millisecond))
					break
				}
				if ctx.Err() != nil {
					return
				}
				log.Warn("embedded PostgreSQL did not restart; retrying", "in", wait, "err", err)
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
		}
	}()
}

// Restarts is how many times the supervisor restarted the postmaster.
func (s *Server) Restarts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restarts
}

// Pid is the postmaster's process id (0 for an adopted server).
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// URL returns a connection string for database db as the superuser.
func (s *Server) URL(db string) string {
	q := url.Values{}
	q.Set("host", s.sockDir)
	q.Set("port", strconv.Itoa(s.port))
	q.Set("sslmode", "disable")
	return (&url.URL{Scheme: "postgres", User: url.User("postgres"), Path: "/" + db, RawQuery: q.Encode()}).String()
}

// Dir returns the cluster directory.
func (s *Server) Dir() string { return s.cfg.Dir }

// Stop shuts the server down (fast shutdown: clients are disconnected,
// committed data is kept) and waits for it to exit. A server that was
// already running when Start was called is left running.
func (s *Server) Stop(ctx context.Context) error {
	var err error
	s.stopOnce.Do(func() {
		defer func() {
			if s.cfg.Log == nil && s.logFile != nil {
				s.logFile.Close()
			}
		}()
		if s.adopted || s.cmd == nil {
			return
		}
		if s.stopSup != nil {
			s.stopSup()
			<-s.supDone
			defer close(s.final)
		}
		s.mu.Lock()
		cmd, done := s.cmd, s.done
		s.mu.Unlock()
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-ctx.Done():
			_ = cmd.Process.Signal(syscall.SIGQUIT)
			<-done
			err = ctx.Err()
		}
	})
	return err
}

// Done is closed when the server process exits; when supervised, only
// after Stop.
func (s *Server) Done() <-chan struct{} {
	if s.final != nil {
		return s.final
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done
}

func (s *Server) start(ctx context.Context, cred *syscall.Credential) error {
	args := []string{"-D", s.cfg.Dir,
		"-c", "listen_addresses=",
		"-c", "unix_socket_directories=" + s.sockDir,
		"-c", "unix_socket_permissions=0700",
		"-c", "port=" + strconv.Itoa(s.port),
		"-c", "max_connections=200",
		"-c", "logging_collector=off",
	}
	settings := map[string]string{}
	if s.cfg.Unsafe {
		settings["fsync"] = "off"
		settings["full_page_writes"] = "off"
		settings["synchronous_commit"] = "off"
		settings["shared_buffers"] = "32MB"
	}
	for k, v := range s.cfg.Settings {
		settings[k] = v
	}
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "-c", k+"="+settings[k])
	}
	cmd := exec.Command(filepath.Join(s.bin, "postgres"), args...) //nolint:noctx // the server outlives the call that starts it; Stop ends it
	cmd.Env = pgEnv()
	cmd.Stdout = s.logFile
	cmd.Stderr = s.logFile
	// Pdeathsig stops the server when this process dies, even by kill -9.
	// It is tied to the OS thread that forks, so the goroutine that starts
	// and waits for the child stays locked to its thread for the child's
	// whole life.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGINT, Setpgid: true}
	started := make(chan error, 1)
	done := s.done
	go func() {
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			runtime.UnlockOSThread()
			return
		}
		started <- nil
		s.waitErr = cmd.Wait()
		close(done)
		// Not unlocking: the thread exits with the goroutine, harmlessly.
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("pgserver: start postgres: %w", err)
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
	if err := s.waitReady(ctx, 60*time.Second, done); err != nil {
		_ = cmd.Process.Signal(syscall.SIGQUIT)
		<-done
		return fmt.Errorf("pgserver: postgres did not start (see %s): %w", s.logFile.Name(), err)
	}
	return nil
}

// waitReady polls until the server answers a query.
func (s *Server) waitReady(ctx context.Context, limit time.Duration, exited <-chan struct{}) error {
	deadline := time.Now().Add(limit)
	var lastErr error
	for {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(cctx, s.URL("postgres"))
		if err == nil {
			err = conn.Ping(cctx)
			conn.Close(cctx)
		}
		cancel()
		if err == nil {
			return nil
		}
		lastErr = err
		if time.Now().After(deadline) {
			return lastErr
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-exited:
			return fmt.Errorf("postgres exited: %w", s.waitErr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// initdb creates the cluster unless it exists. It runs in a sibling
// directory renamed into place, so a crash during initdb leaves no half
// cluster behind.
func (s *Server) initdb(ctx context.Context, cred *syscall.Credential) error {
	dir := s.cfg.Dir
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err == nil {
		return chownTree(dir, cred) // e.g. copied by root: make it postgres's again
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("pgserver: %s exists, is not empty and is not a PostgreSQL cluster", dir)
	}
	tmp := dir + ".initdb"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return fmt.Errorf("pgserver: %w", err)
	}
	if err := chown(tmp, cred); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, "initdb"),
		"-D", tmp, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync")
	cmd.Env = pgEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	out, err := cmd.CombinedOutput()
	if err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("pgserver: initdb: %w\n%s", err, bytes.TrimSpace(out))
	}
	// initdb --no-sync is fine: we sync the rename's directory below, and a
	// lost fresh cluster is simply recreated.
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("pgserver: %w", err)
	}
	return nil
}

// relocate moves the cluster out of a directory the postgres user cannot
// reach (only when root): to the place recorded by a previous run, else to
// <HomeRoot>/<hash of Dir>/pg, which it records. A cluster already in Dir
// stays there (prepareParent then says what to fix).
func (s *Server) relocate(cred *syscall.Credential) error {
	if cred == nil {
		return nil
	}
	dir := s.cfg.Dir
	record := filepath.Join(filepath.Dir(dir), filepath.Base(dir)+".location")
	if b, err := os.ReadFile(record); err == nil {
		if p := strings.TrimSpace(string(b)); filepath.IsAbs(p) {
			s.cfg.Dir = p
			return nil
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("pgserver: %w", err)
	}
	if unreachable(filepath.Dir(dir), cred) == "" {
		return nil
	}
	root := s.cfg.HomeRoot
	if root == "" {
		root = DefaultHomeRoot
	}
	sum := sha256.Sum256([]byte(dir))
	home := filepath.Join(root, hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(home, 0o711); err != nil {
		return fmt.Errorf("pgserver: %w", err)
	}
	for _, d := range []string{root, home} {
		if err := os.Chmod(d, 0o711); err != nil { // searchable, not listable
			return fmt.Errorf("pgserver: %w", err)
		}
	}
	if d := unreachable(home, cred); d != "" {
		return fmt.Errorf("pgserver: running as root, the server runs as user postgres, which can reach neither %s nor %s (%s blocks it)", filepath.Dir(dir), home, d)
	}
	s.cfg.Dir = filepath.Join(home, "pg")
	note := s.cfg.Dir + "\n"
	if err := os.WriteFile(record, []byte(note), 0o600); err != nil {
		return fmt.Errorf("pgserver: record the cluster's place: %w", err)
	}
	fmt.Fprintf(s.logFile, "pgserver: the postgres user cannot reach %s: the cluster lives in %s (recorded in %s)\n", filepath.Dir(dir), s.cfg.Dir, record)
	return nil
}

// unreachable returns the first directory from d up to / that the user of
// cred cannot search, or "".
func unreachable(d string, cred *syscall.Credential) string {
	for ; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return d
		}
		st := fi.Sys().(*syscall.Stat_t)
		ok := fi.Mode().Perm()&0o001 != 0 ||
			(st.Uid == cred.Uid && fi.Mode().Perm()&0o100 != 0) ||
			(st.Gid == cred.Gid && fi.Mode().Perm()&0o010 != 0)
		if !ok {
			return d
		}
		if d == "/" || d == "." {
			return ""
		}
	}
}

// prepareParent creates the parent of the cluster directory and checks that
// the postgres user can reach it.
func (s *Server) prepareParent(cred *syscall.Credential) error {
	parent := filepath.Dir(s.cfg.Dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("pgserver: %w", err)
	}
	if cred == nil {
		return nil
	}
	// Every ancestor must be searchable by the postgres user.
	for d := parent; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		ok := fi.Mode().Perm()&0o001 != 0 ||
			(st.Uid == cred.Uid && fi.Mode().Perm()&0o100 != 0) ||
			(st.Gid == cred.Gid && fi.Mode().Perm()&0o010 != 0)
		if !ok {
			return fmt.Errorf("pgserver: running as root, the server runs as user postgres, which cannot enter %s (mode %v): choose a --data-dir the postgres user can reach, or chmod o+x %s", d, fi.Mode().Perm(), d)
		}
		if d == "/" || d == "." {
			return nil
		}
	}
}

// socketDir returns the directory for the unix socket: the cluster
// directory itself when the socket path fits the 107-byte limit, else a short
// private directory under /tmp derived from the cluster path.
func socketDir(dir string, cred *syscall.Credential) (string, error) {
	if len(dir)+len("/.s.PGSQL.5432") <= 100 { // margin under sun_path's 107 bytes
		return dir, nil
	}
	sum := sha256.Sum256([]byte(dir))
	d := filepath.Join(os.TempDir(), "thugom-pg-"+hex.EncodeToString(sum[:6]))
	if len(d)+len("/.s.PGSQL.5432") > 100 {
		d = "/tmp/thugom-pg-" + hex.EncodeToString(sum[:6])
	}
	if err := os.MkdirAll(d, 0o700); err != nil {
		return "", fmt.Errorf("pgserver: socket dir: %w", err)
	}
	if err := chown(d, cred); err != nil {
		return "", err
	}
	return d, nil
}

// runningPostmaster reports the pid of a live postmaster recorded in
// dir/postmaster.pid.
func runningPostmaster(dir string) (int, bool) {
	f, err := os.Open(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
	if err != nil || pid <= 0 {
		return 0, false
	}
	// The pid may have been reused by an unrelated process after a reboot.
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !bytes.Contains(cmdline, []byte("postgres")) || !bytes.Contains(cmdline, []byte(dir)) {
		return 0, false
	}
	return pid, true
}

func waitGone(pid int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(pid, syscall.SIGQUIT)
}

// FindBinDir finds the directory holding initdb and postgres: pg_config
// --bindir, then the newest /usr/lib/postgresql/*/bin, /usr/local/pgsql/bin,
// then PATH.
func FindBinDir() (string, error) {
	var candidates []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil { //nolint:noctx // FindBinDir has no context; pg_config answers at once
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	versioned, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(versioned, func(i, j int) bool { return pgMajor(versioned[i]) > pgMajor(versioned[j]) })
	candidates = append(candidates, versioned...)
	candidates = append(candidates, "/usr/local/pgsql/bin", "/opt/homebrew/bin", "/usr/local/bin")
	candidates = append(candidates, filepath.SplitList(os.Getenv("PATH"))...)
	return findBinDir(candidates)
}

func findBinDir(candidates []string) (string, error) {
	for _, d := range candidates {
		if d == "" {
			continue
		}
		if isExec(filepath.Join(d, "postgres")) && isExec(filepath.Join(d, "initdb")) {
			return d, nil
		}
	}
	return "", ErrNoBinaries
}

func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// credential returns the credential to run postgres with: nil when not root,
// the postgres system user when root.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, errors.New("pgserver: running as root, and PostgreSQL refuses root: create a 'postgres' system user (useradd --system postgres) or run as another user, or set DATABASE_URL")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}

func chown(p string, cred *syscall.Credential) error {
	if cred == nil {
		return nil
	}
	if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
		return fmt.Errorf("pgserver: %w", err)
	}
	return nil
}

func chownTree(root string, cred *syscall.Credential) error {
	if cred == nil {
		return nil
	}
	fi, err := os.Stat(root)
	if err != nil {
		return err
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid == cred.Uid {
		return nil
	}
	return filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(cred.Uid), int(cred.Gid))
	})
}

// pgEnv is a small, predictable environment for the server.
func pgEnv() []string {
	env := []string{"LC_ALL=C", "TZ=UTC"}
	if p := os.Getenv("PATH"); p != "" {
		env = append(env, "PATH="+p)
	}
	return env
}

// EnsureDatabase creates database name unless it exists, as a copy of the
// postgres database (empty on a fresh cluster; the data of a cluster from
// before thugom had a database of its own otherwise).
func (s *Server) EnsureDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, s.URL("template1"))
	if err != nil {
		return fmt.Errorf("pgserver: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("pgserver: %w", err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE postgres"); err != nil {
		return fmt.Errorf("pgserver: create database %s: %w", name, err)
	}
	return nil
}
