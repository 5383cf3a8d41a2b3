/** The libp2p peer id of a node; also its Raft id. Its own file so domain.ts and network.ts both use it without importing each other. */
export type NodeId = string;
