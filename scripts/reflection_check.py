"""A client that knows nothing but gRPC server reflection checks a running Carpetti.

It lists the services, asks grpc.health.v1 for SERVING, resolves the persist protos through
reflection alone and calls SupplierService.ListSuppliers and a bad CreateSupplier. Prints one
line per check and a closing "N passed, N failed" line; exits non-zero when a check fails.

Usage: python3 scripts/reflection_check.py HOST:PORT
"""

import sys

import grpc
from google.protobuf import descriptor_pool, message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

EXPECTED_SERVICES = [
    f"carpetti.persist.v1.{name}Service"
    for name in [
        "Access", "Change", "Channel", "Crm", "File", "Import", "Link", "Order",
        "ProcessReport", "Product", "Structure", "Supplier",
    ]
] + ["grpc.health.v1.Health"]


def main(address: str) -> int:
    passed, failed = 0, 0

    def check(name, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name} {detail}")

    channel = grpc.insecure_channel(address)
    grpc.channel_ready_future(channel).result(timeout=30)

    database = ProtoReflectionDescriptorDatabase(channel)
    services = list(database.get_services())
    for service in EXPECTED_SERVICES:
        check(f"reflection lists {service}", service in services, f"got {services}")
    check(
        "reflection lists itself",
        any(s.startswith("grpc.reflection.") for s in services),
        f"got {services}",
    )

    health = health_pb2_grpc.HealthStub(channel)
    for service in [""] + [s for s in EXPECTED_SERVICES if s.startswith("carpetti.")]:
        try:
            status = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=10).status
        except grpc.RpcError as error:
            status = f"{error.code()} {error.details()}"
        check(f"health {service or '(server)'} SERVING", status == health_pb2.HealthCheckResponse.SERVING, str(status))

    pool = descriptor_pool.DescriptorPool(database)
    service = pool.FindServiceByName("carpetti.persist.v1.SupplierService")
    method = service.methods_by_name["ListSuppliers"]
    request_class = message_factory.GetMessageClass(method.input_type)
    response_class = message_factory.GetMessageClass(method.output_type)
    list_suppliers = channel.unary_unary(
        f"/{service.full_name}/{method.name}",
        request_serializer=request_class.SerializeToString,
        response_deserializer=response_class.FromString,
    )
    response = list_suppliers(request_class(page_size=10), timeout=10)
    check("ListSuppliers answers through reflected types", hasattr(response, "items"))

    create = service.methods_by_name["CreateSupplier"]
    supplier_class = message_factory.GetMessageClass(create.input_type)
    create_supplier = channel.unary_unary(
        f"/{service.full_name}/{create.name}",
        request_serializer=supplier_class.SerializeToString,
        response_deserializer=message_factory.GetMessageClass(create.output_type).FromString,
    )
    try:
        create_supplier(supplier_class(code="", name="x"), timeout=10)
        check("CreateSupplier with an empty code is refused", False, "it was accepted")
    except grpc.RpcError as error:
        check(
            "CreateSupplier with an empty code is INVALID_ARGUMENT naming the field",
            error.code() == grpc.StatusCode.INVALID_ARGUMENT and "code" in error.details(),
            f"{error.code()} {error.details()}",
        )

    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
