import { aws_ec2 as ec2 } from 'aws-cdk-lib';

/**
 * ENI limits of the instance types the seed plan uses and of common neighbours: [network interfaces, IPv4
 * addresses per interface], from the EC2 documentation's "IP addresses per network interface per instance type".
 * With the VPC CNI (no prefix delegation) a node can hold up to interfaces x addresses of its subnet's IPs
 * (its own primary address included), and runs at most interfaces x (addresses - 1) + 2 pods.
 */
const ENI_LIMITS: Record<string, [number, number]> = {
  't3.medium': [3, 6],
  't3.large': [3, 12],
  't3.xlarge': [4, 15],
  't3.2xlarge': [4, 15],
  't3a.large': [3, 12],
  't3a.xlarge': [4, 15],
  'm5.large': [3, 10],
  'm5.xlarge': [4, 15],
  'm5.2xlarge': [4, 15],
  'm5a.large': [3, 10],
  'm5a.xlarge': [4, 15],
  'm6i.large': [3, 10],
  'm6i.xlarge': [4, 15],
  'm6a.large': [3, 10],
  'm7i.large': [3, 10],
  'c5.large': [3, 10],
  'c5.xlarge': [4, 15],
  'r5.large': [3, 10],
  'r5.xlarge': [4, 15],
};

/** What an unknown instance type is assumed to hold: Kubernetes' default pod limit per node. */
export const UNKNOWN_INSTANCE_ADDRESSES = 110;

/** The most subnet addresses one node of this type can take (node and pods). */
export function addressesPerNode(instanceType: ec2.InstanceType): number {
  const limits = ENI_LIMITS[instanceType.toString()];
  return limits ? limits[0] * limits[1] : UNKNOWN_INSTANCE_ADDRESSES;
}

/** Usable addresses of a subnet: AWS reserves the first four and the last one. */
export function usableSubnetAddresses(prefix: number): number {
  return 2 ** (32 - prefix) - 5;
}
