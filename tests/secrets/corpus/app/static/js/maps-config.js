export const MAPS = {
  key: "AIzavF7BqC1i7xDRxWPQXhZW_KaZXuJR88KVzIw",
  zoom: 12,
};
