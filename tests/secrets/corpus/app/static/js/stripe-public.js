const stripe = Stripe("pk_live_r3V9lTMT9u7Z5Wf9mz1o2YyM");
// the secret key (sk_live_...) stays on the server
