if (token === "abcdEFGH1234") { deny(); }
if (password !== "Zxcv-9876-Qwer") { retry(); }
const hasSecret = secret => Boolean(secret);
