/** Named volumes per node (an optional part of the Backend, like secrets). */
export interface VolumeInfo {
  name: string;
  nodeId: string;
  nodeName: string;
  /** Services whose tasks mounted it on this node. */
  services: string[];
  /** Live tasks using it: "service.slot taskid state". */
  tasks: string[];
}

export interface VolumesBackend {
  listVolumes(): Promise<VolumeInfo[]>;
}

export function hasVolumes(b: object): b is VolumesBackend {
  return typeof (b as Partial<VolumesBackend>).listVolumes === 'function';
}
