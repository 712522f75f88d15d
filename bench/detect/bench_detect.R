# bench_detect.R — the same work as bench_detect.c in R's surveillance
# 1.20.3 for a subset of series, scaled to 10,000.
# Usage: Rscript bench_detect.R [NSERIES]   (default 100)
suppressPackageStartupMessages(library(surveillance))
args <- commandArgs(TRUE)
nser <- if (length(args)) as.integer(args[1]) else 100
set.seed(1)
len <- 120; tt <- 0:(len - 1)
X <- sapply(1:nser, function(s) {
  level <- 0.5 + 40 * runif(1); phase <- 6.283 * runif(1)
  rpois(len, level * exp(0.004 * tt + 0.4 * sin(6.283 * tt / 12 + phase)))
})
rg <- (len - 11):len
t_ears <- system.time(for (s in 1:nser)
  earsC(sts(X[, s], frequency = 12), control = list(method = "C2", range = rg)))[["elapsed"]]
t_farr <- system.time(for (s in 1:nser)
  farringtonFlexible(sts(X[, s], frequency = 12), control = list(range = rg, glmWarnings = FALSE)))[["elapsed"]]
scale <- 10000 / nser
cat(sprintf("R series %d: ears-c2 %.3f s, farrington %.3f s\n", nser, t_ears, t_farr))
cat(sprintf("R scaled to 10000: ears-c2 %.1f s, farrington %.1f s, total %.1f s\n",
            t_ears * scale, t_farr * scale, (t_ears + t_farr) * scale))
