package mockserver

import (
	"net"
	"net/http"
	"strings"

	"github.com/calmock/calmock/booking"
)

// authMode is how an endpoint treats credentials (behaviour notes §3.2).
type authMode int

const (
	// authNone: credentials are ignored (recordings, transcripts). The rate limiter still
	// rejects unknown API keys.
	authNone authMode = iota
	// authOptional: anonymous is fine; credentials that are present must be valid.
	authOptional
	// authRequired: the PermissionsGuard runs first (403 without credentials), then the
	// auth strategy.
	authRequired
	// authStrategy: ApiAuthGuard alone, no PermissionsGuard (the webhook controllers: cal.com
	// apps/api/v2/src/modules/webhooks/controllers/*.controller.ts guard with ApiAuthGuard
	// and their own guards only): missing credentials are the strategy's 401s (§3.3).
	authStrategy
)

// apiKeyPrefix marks a bearer value as an API key rather than a managed-user access token.
const apiKeyPrefix = "cal_"

// Exact texts of the real API's guards.
const (
	msgNoAuthProvided   = "PermissionsGuard - no authentication provided. Provide either authorization bearer token containing managed user access token or oAuth client id in 'x-cal-client-id' header."
	msgInvalidAPIKey    = "CustomThrottlerGuard - Invalid API Key"
	msgInvalidToken     = "Invalid Access Token."
	fmtNoClientForToken = "PermissionsGuard - no oAuth client found for access token=%s"
	fmtNoClientForID    = "PermissionsGuard - no oAuth client found for client id=%s"
	fmtClientNotFound   = "ApiAuthStrategy - oAuth client - Client with ID %s not found"
	msgNoAuthMethod     = "ApiAuthStrategy - No authentication method provided. Either pass an API key as 'Bearer' header or OAuth client credentials as 'x-cal-secret-key' and 'x-cal-client-id' headers"
	msgOnlyClientID     = "ApiAuthStrategy - Only 'x-cal-client-id' header provided. Please also provide 'x-cal-secret-key' header or Auth bearer token as 'Authentication' header"
)

// credentials are what a request presents.
type credentials struct {
	bearer   string // Authorization value without the optional "Bearer " prefix
	clientID string
	secret   string
}

func readCredentials(r *http.Request) credentials {
	auth := strings.TrimSpace(r.Header.Get("Authorization"))
	// The real strategy strips a literal "Bearer " if present; a raw key works too.
	auth = strings.TrimSpace(strings.TrimPrefix(auth, "Bearer "))
	return credentials{
		bearer:   auth,
		clientID: r.Header.Get("x-cal-client-id"),
		secret:   r.Header.Get("x-cal-secret-key"),
	}
}

// tracker is the rate limiter's key for the request, in the real API's order of preference.
func (c credentials) tracker(r *http.Request) string {
	switch {
	case c.bearer != "":
		return "bearer:" + c.bearer
	case c.clientID != "":
		return "client:" + c.clientID
	}
	if ip := r.Header.Get("cf-connecting-ip"); ip != "" {
		return "ip:" + ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "ip:" + host
}

// authenticate runs the guards that follow the rate limiter, in the real order, and returns
// the caller (nil when anonymous). The mock knows no OAuth clients or managed-user tokens:
// API keys from the fixtures are its only valid credentials.
func (s *Server) authenticate(c credentials, mode authMode) (*booking.User, error) {
	if mode == authNone {
		return nil, nil
	}
	if mode == authRequired {
		// PermissionsGuard.
		switch {
		case c.bearer == "" && c.clientID == "":
			return nil, newAPIError(http.StatusForbidden, msgNoAuthProvided)
		case c.bearer != "" && !strings.HasPrefix(c.bearer, apiKeyPrefix):
			return nil, newAPIError(http.StatusForbidden, sprintf(fmtNoClientForToken, c.bearer))
		case c.bearer == "":
			return nil, newAPIError(http.StatusForbidden, sprintf(fmtNoClientForID, c.clientID))
		}
	}
	// Client credentials win over a bearer when both are sent.
	if c.clientID != "" && c.secret != "" {
		return nil, newAPIError(http.StatusUnauthorized, sprintf(fmtClientNotFound, c.clientID))
	}
	if c.bearer == "" {
		if mode == authStrategy {
			if c.clientID != "" {
				return nil, newAPIError(http.StatusUnauthorized, msgOnlyClientID)
			}
			return nil, newAPIError(http.StatusUnauthorized, msgNoAuthMethod)
		}
		// Only one of the client headers on an optional endpoint: treated as anonymous.
		return nil, nil
	}
	if !strings.HasPrefix(c.bearer, apiKeyPrefix) {
		return nil, newAPIError(http.StatusUnauthorized, msgInvalidToken)
	}
	u, ok := s.fixtures.UserByAPIKey(c.bearer)
	if !ok {
		return nil, newAPIError(http.StatusUnauthorized, msgInvalidAPIKey)
	}
	return &u, nil
}

// checkAPIKey is the rate limiter's own check: an unknown API key is refused before any other
// guard, on every endpoint.
func (s *Server) checkAPIKey(c credentials) error {
	if strings.HasPrefix(c.bearer, apiKeyPrefix) {
		if _, ok := s.fixtures.UserByAPIKey(c.bearer); !ok {
			return newAPIError(http.StatusUnauthorized, msgInvalidAPIKey)
		}
	}
	return nil
}
