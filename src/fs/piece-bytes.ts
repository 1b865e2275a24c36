/**
 * What a large file is read in, one piece at a time: 1 MiB. The default 64 KiB of a read stream
 * cost a round of the event loop each.
 */
export const PIECE_BYTES = 1024 * 1024;
