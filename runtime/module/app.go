package module

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/contrib/instrumentation/github.com/labstack/echo/otelecho"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.uber.org/fx"

	"github.com/beep/iam/infrastructure/telemetry"
	"github.com/beep/iam/interfaces/rest"
	"github.com/beep/iam/runtime/config"
)

// App serves the REST API: the routes of every slice, collected through the
// "routes" value group, on an http.Server that listens in OnStart (so a busy
// port fails start-up) and drains in-flight requests in OnStop.
var App = fx.Module("app",
	fx.Provide(
		restConfig,
		rest.NewAuthRoutes,
		asRoutes(func(a *rest.AuthRoutes) *rest.AuthRoutes { return a }),
		asRoutes(rest.NewOrganizationRoutes),
		asRoutes(rest.NewSocialRoutes),
		fx.Annotate(newEcho, fx.ParamTags(``, ``, `group:"routes"`)),
		newHTTPServer,
	),
	fx.Invoke(serve),
)

// asRoutes adds what constructor returns to the "routes" group.
func asRoutes(constructor any) any {
	return fx.Annotate(constructor, fx.As(new(rest.Routes)), fx.ResultTags(`group:"routes"`))
}

func restConfig(c config.Config) (rest.Config, error) {
	rc := rest.Config{
		BaseURL:           c.AuthURL,
		Secrets:           c.SecretKeys(),
		TrustedOrigins:    c.TrustedOrigins,
		SessionMaxAge:     c.SessionExpiresIn,
		CookieCacheMaxAge: c.CookieCacheMaxAge,
		CookieDomain:      c.CookieDomain,
		SameSite:          c.CookieSameSite,
		BodyLimit:         c.BodyLimit,
	}
	return rc, rc.Validate()
}

// newEcho depends on the tracer provider so it is installed before the OTel
// middleware looks it up.
func newEcho(rc rest.Config, logger *slog.Logger, routes []rest.Routes, _ *sdktrace.TracerProvider) *echo.Echo {
	return rest.NewEcho(rc, logger, routes, otelecho.Middleware(telemetry.ServiceName, otelecho.WithSkipper(carriesTokenInPath)))
}

// newHTTPServer puts the health probes (/healthz, /readyz) in front of the
// API, outside its middleware.
func newHTTPServer(c config.Config, e *echo.Echo, health *rest.Health, logger *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              c.HTTPAddr,
		Handler:           health.Wrap(e),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

func serve(lc fx.Lifecycle, srv *http.Server, c config.Config, logger *slog.Logger) {
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			ln, err := net.Listen("tcp", srv.Addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", srv.Addr, err)
			}
			go func() {
				if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
					logger.Error("http server stopped", "error", err)
				}
			}()
			logger.InfoContext(ctx, "Beep IAM is serving", "url", c.AuthURL.String()+"/api/auth", "listen", ln.Addr().String(), "database", dialectOf(c.DatabaseURL))
			return nil
		},
		OnStop: srv.Shutdown,
	})
}

func dialectOf(databaseURL string) string {
	if len(databaseURL) >= 7 && databaseURL[:7] == "sqlite:" {
		return databaseURL
	}
	return "postgres"
}

// carriesTokenInPath reports requests whose path holds a secret (the mailed
// reset link, /reset-password/<token>): they are not traced, since spans
// record the raw path and traces are not a place for live tokens.
func carriesTokenInPath(c echo.Context) bool {
	return strings.HasPrefix(c.Request().URL.Path, "/api/auth/reset-password/")
}
