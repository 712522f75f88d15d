# make-reference.R — reference vectors for litwatch's detectors, computed by
# R's surveillance package (must be 1.20.3, Debian's r-cran-surveillance).
#
# For every (series, method, parameters) case it writes
#   <series>.series            one count per line (the CLI's input)
#   <case>.csv                 first line "# series: <series>.series",
#                              second line "# args: <litwatch detect flags>",
#                              then t,observed,expected,upperbound,alarm for
#                              the range, as R computes them (NA where R has NA)
# Run from this directory:  Rscript make-reference.R
# The generated files are committed so that CI needs no R.
suppressPackageStartupMessages(library(surveillance))
stopifnot(packageVersion("surveillance") == "1.20.3")
options(warn = -1)

num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
alm <- function(a) ifelse(is.na(a), "NA", ifelse(a, "1", "0"))

write_series <- function(name, x) {
  writeLines(num(x), paste0(name, ".series"))
}

write_case <- function(case, series, args, range, x, expected, upper, alarm) {
  con <- file(paste0(case, ".csv"), "w")
  writeLines(paste0("# series: ", series, ".series"), con)
  writeLines(paste0("# args: ", args), con)
  writeLines("t,observed,expected,upperbound,alarm", con)
  writeLines(paste(range, num(x[range]), num(expected), num(upper), alm(alarm), sep = ","), con)
  close(con)
}

set.seed(20240611)
tt <- 1:120
S <- list()
S$seasonal_monthly <- list(x = rpois(120, exp(2 + 0.006 * tt + 0.5 * sin(2 * pi * tt / 12))), freq = 12)
wk <- 1:312
xw <- rpois(312, 6 + 3 * sin(2 * pi * wk / 52))
xw[c(150, 151, 152, 280, 281, 300)] <- xw[c(150, 151, 152, 280, 281, 300)] + c(12, 18, 9, 15, 20, 25)
S$weekly_outbreaks <- list(x = xw, freq = 52)
S$sparse_monthly <- list(x = rpois(96, 0.3), freq = 12)
S$short_monthly <- list(x = rpois(20, 5), freq = 12)
S$constant_monthly <- list(x = rep(4, 72), freq = 12)
xo <- rnbinom(120, mu = 300 * exp(0.003 * tt + 0.2 * cos(2 * pi * tt / 12)), size = 20)
xo[c(110, 115)] <- xo[c(110, 115)] + c(150, 250)
S$overdispersed_monthly <- list(x = xo, freq = 12)
for (nm in names(S)) write_series(nm, S[[nm]]$x)

mk_sts <- function(s) sts(observed = matrix(s$x, ncol = 1), frequency = s$freq, start = c(2000, 1))

## EARS --------------------------------------------------------------------
ears_case <- function(sname, tag, method, baseline = NULL, alpha = NULL, minSigma = NULL, range = NULL) {
  s <- S[[sname]]
  ctl <- list(method = method)
  args <- paste0("--method ears-", tolower(method))
  if (!is.null(baseline)) { ctl$baseline <- baseline; args <- paste(args, "--baseline", baseline) }
  if (!is.null(alpha)) { ctl$alpha <- alpha; args <- paste(args, "--alpha", alpha) }
  if (!is.null(minSigma)) { ctl$minSigma <- minSigma; args <- paste(args, "--min-sigma", minSigma) }
  if (!is.null(range)) { ctl$range <- range; args <- paste0(args, " --range ", min(range), ":", max(range)) }
  r <- earsC(mk_sts(s), control = ctl)
  rg <- r@control$range
  write_case(paste0("ears_", tag, "_", sname), sname, args, rg, s$x,
             rep(NA, length(rg)), as.vector(r@upperbound), as.vector(r@alarm))
}
for (sname in names(S)) {
  for (m in c("C1", "C2", "C3")) ears_case(sname, paste0(tolower(m), "_default"), m)
  ears_case(sname, "c1_b10_a05", "C1", baseline = 10, alpha = 0.05)
  ears_case(sname, "c2_b5_ms05", "C2", baseline = 5, minSigma = 0.5)
  ears_case(sname, "c3_b8_a01_ms1", "C3", baseline = 8, alpha = 0.01, minSigma = 1)
}
ears_case("seasonal_monthly", "c2_subrange", "C2", range = 30:45)

## CUSUM -------------------------------------------------------------------
cusum_case <- function(sname, tag, range, k = NULL, h = NULL, m = NULL, trans = NULL) {
  s <- S[[sname]]
  ctl <- list(range = range)
  args <- paste0("--method cusum --range ", min(range), ":", max(range))
  if (!is.null(k)) { ctl$k <- k; args <- paste(args, "--k", k) }
  if (!is.null(h)) { ctl$h <- h; args <- paste(args, "--h", h) }
  if (!is.null(m)) { ctl$m <- m; args <- paste(args, "--m", m) }
  if (!is.null(trans)) { ctl$trans <- trans; args <- paste(args, "--trans", trans) }
  r <- algo.cusum(create.disProg(week = seq_along(s$x), observed = s$x, state = 0 * s$x, freq = s$freq),
                  control = ctl)
  write_case(paste0("cusum_", tag, "_", sname), sname, args, range, s$x,
             rep(r$control$m, length(range)), r$upperbound, r$alarm)
}
for (sname in names(S)) {
  n <- length(S[[sname]]$x); f <- S[[sname]]$freq
  st <- if (n > f) f + 1 else 6
  cusum_case(sname, "default", st:n)
  cusum_case(sname, "k05_h4_m5", st:n, k = 0.5, h = 4, m = 5)
  cusum_case(sname, "from1", 1:n)
}
for (tr in c("rossi", "anscombe", "anscombe2nd", "pearsonNegBin", "none"))
  cusum_case("seasonal_monthly", paste0("trans_", tr), 13:120, trans = tr)

## Farrington flexible ------------------------------------------------------
farr_case <- function(sname, tag, ...) {
  s <- S[[sname]]
  ctl <- list(...)
  ctl$glmWarnings <- FALSE
  a <- list(...)
  flag <- c(b = "--b", w = "--w", reweight = "--reweight", weightsThreshold = "--weights-threshold",
            trend = "--trend", pThresholdTrend = "--p-threshold-trend", limit54 = "--limit54",
            powertrans = "--powertrans", noPeriods = "--no-periods",
            pastWeeksNotIncluded = "--past-weeks-not-included",
            thresholdMethod = "--threshold-method", alpha = "--alpha")
  args <- paste0("--method farrington --freq ", s$freq)
  for (nm in names(a)) {
    v <- a[[nm]]
    if (nm == "range") { args <- paste0(args, " --range ", min(v), ":", max(v)); next }
    vs <- if (is.logical(v)) tolower(as.character(v)) else paste(v, collapse = ",")
    args <- paste(args, flag[[nm]], vs)
  }
  r <- farringtonFlexible(mk_sts(s), control = ctl)
  b <- if (is.null(a[["b", exact = TRUE]])) 5 else a[["b", exact = TRUE]]
  w <- if (is.null(a[["w", exact = TRUE]])) 3 else a[["w", exact = TRUE]]
  rg <- if (is.null(a[["range", exact = TRUE]])) (s$freq * b + w + 1):length(s$x) else a$range
  write_case(paste0("farrington_", tag, "_", sname), sname, args, rg, s$x,
             as.vector(r@control$expected), as.vector(r@upperbound), as.vector(r@alarm))
}
for (sname in c("seasonal_monthly", "weekly_outbreaks", "sparse_monthly", "constant_monthly",
                "overdispersed_monthly")) {
  farr_case(sname, "default")
  farr_case(sname, "b3w2_noreweight", b = 3, w = 2, reweight = FALSE)
  farr_case(sname, "notrend_pt12", trend = FALSE, powertrans = "1/2", alpha = 0.01)
  farr_case(sname, "ptnone_lim0", powertrans = "none", limit54 = c(0, 1))
  farr_case(sname, "nbplugin", thresholdMethod = "nbPlugin", limit54 = c(3, 2))
  farr_case(sname, "muan", thresholdMethod = "muan", b = 4, weightsThreshold = 1)
  farr_case(sname, "noperiods10", b = 3, w = 3, noPeriods = 10, pastWeeksNotIncluded = 3)
  farr_case(sname, "noperiods4_pw1", b = 4, w = 2, noPeriods = 4, pastWeeksNotIncluded = 1,
            thresholdMethod = "nbPlugin")
}
farr_case("short_monthly", "b1w1", b = 1, w = 1)
farr_case("seasonal_monthly", "trendtest_p5", b = 3, pThresholdTrend = 0.5, range = 100:120)
