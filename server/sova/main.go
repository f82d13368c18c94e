// Command sova is the Sova server. With no subcommand it serves the member
// app and the sync API:
//
//	sova [-addr localhost:8080] [-data ./data]
//
// SOVA_ADDR, SOVA_DATA and SOVA_KEY_FILE set the same from the environment;
// flags win. Later subcommands (voice-pack import and export) hang off this
// same binary.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"sova/server/app"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sova:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) > 0 && args[0] == "serve" {
		args = args[1:]
	}
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		return fmt.Errorf("unknown command %q (try: sova -h)", args[0])
	}
	fl := flag.NewFlagSet("sova", flag.ContinueOnError)
	addr := fl.String("addr", env("SOVA_ADDR", "localhost:8080"), "listen address (SOVA_ADDR)")
	data := fl.String("data", env("SOVA_DATA", "./data"), "data directory (SOVA_DATA)")
	accessLog := fl.Bool("access-log", env("SOVA_ACCESS_LOG", "") == "1", "log every request, not only failures (SOVA_ACCESS_LOG=1); see README")
	if err := fl.Parse(args); err != nil {
		return err
	}
	log := app.NewLogger(os.Stderr)
	a, err := app.Open(app.Config{Addr: *addr, DataDir: *data, KeyFile: os.Getenv("SOVA_KEY_FILE"), Salt: os.Getenv("SOVA_SALT"), Log: log, AccessLog: *accessLog})
	if err != nil {
		return err
	}
	defer a.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return a.Run(ctx)
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
