-- +goose Up
-- Fixed-window counters of the strict rate limits (failed authentications,
-- purchase attempts and declines), shared by every instance: one row per
-- key and window, purged once the window has ended.
CREATE TABLE rate_windows (
    key          TEXT     NOT NULL,
    window_start DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL,
    n            INTEGER  NOT NULL CHECK (n > 0),
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_windows_expires_at ON rate_windows (expires_at);

-- +goose Down
DROP TABLE rate_windows;
